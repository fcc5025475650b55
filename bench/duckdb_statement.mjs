// The reference peer of docs/performance.md: what a reseller's data person does today — load the
// CUR into DuckDB and compute each customer's statement with SQL.
//
//   node bench/duckdb_statement.mjs CUR.csv[.gz]|CUR.parquet ACCOUNTS.csv OUT.json [THREADS]
//
// ACCOUNTS.csv has the header `account,customer,markup` (markup in percent). The statement is
// the amortized cost (reference §4.2) of each customer's rows per service, priced like rebill's
// workspace for the benchmark (bench/run_benchmark.sh): charges × (1 + markup / 100), AWS
// credits and refunds at face value, AWS tax and commitment fees (unused commitment) kept by the
// reseller. Each statement line (customer × service × kind) is rounded to cents half away from
// zero; a customer's total is the sum of its rounded lines. Money is DECIMAL(38,18), never DOUBLE.
import { writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [cur, accounts, out, threads = '2'] = process.argv.slice(2);
if (!cur || !accounts || !out) {
  console.error('usage: node duckdb_statement.mjs CUR.csv[.gz] ACCOUNTS.csv OUT.json [THREADS]');
  process.exit(2);
}
const quote = (s) => `'${s.replaceAll("'", "''")}'`;

const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const db = await instance.connect();

// A Parquet CUR (bench/csv_to_parquet.mjs) holds costs as DOUBLE: they become decimals through
// their shortest text, as rebill reads them, never through binary arithmetic.
const parquet = cur.endsWith('.parquet');
const money = (column) => parquet
  ? `COALESCE(CAST(CAST("${column}" AS VARCHAR) AS DECIMAL(38,18)), 0)`
  : `COALESCE(CAST("${column}" AS DECIMAL(38,18)), 0)`;
const source = parquet
  ? `read_parquet(${quote(cur)})`
  : `read_csv(${quote(cur)}, header = true, all_varchar = true)`;
const sql = `
WITH cur AS (
  SELECT * FROM ${source}
),
mapping AS (
  -- 1 + markup / 100 as an exact decimal (DuckDB's '/' would give a DOUBLE).
  SELECT account, customer, 1 + CAST(markup AS DECIMAL(9,4)) * CAST('0.01' AS DECIMAL(3,2)) AS factor
  FROM read_csv(${quote(accounts)}, header = true, all_varchar = true)
),
costed AS (
  SELECT
    "lineItem/UsageAccountId" AS account,
    "lineItem/ProductCode" AS service,
    CASE WHEN "lineItem/LineItemType" IN ('Credit', 'Refund') THEN 'credit' ELSE 'charge' END AS kind,
    CASE "lineItem/LineItemType"
      WHEN 'SavingsPlanCoveredUsage' THEN ${money('savingsPlan/SavingsPlanEffectiveCost')}
      WHEN 'SavingsPlanRecurringFee' THEN ${money('savingsPlan/TotalCommitmentToDate')}
                                          - ${money('savingsPlan/UsedCommitment')}
      WHEN 'SavingsPlanNegation' THEN 0
      WHEN 'SavingsPlanUpfrontFee' THEN 0
      WHEN 'DiscountedUsage' THEN ${money('reservation/EffectiveCost')}
      WHEN 'RIFee' THEN ${money('reservation/UnusedAmortizedUpfrontFeeForBillingPeriod')}
                        + ${money('reservation/UnusedRecurringFee')}
      WHEN 'Fee' THEN CASE WHEN COALESCE("reservation/ReservationARN", '') <> '' THEN 0
                           ELSE ${money('lineItem/UnblendedCost')} END
      WHEN 'Refund' THEN CASE WHEN "lineItem/ProductCode" = 'ComputeSavingsPlans' THEN 0
                              ELSE ${money('lineItem/UnblendedCost')} END
      ELSE ${money('lineItem/UnblendedCost')}
    END AS amortized
  FROM cur
  -- AWS tax and commitment fees stay with the reseller (docs/policies.md).
  WHERE "lineItem/LineItemType" NOT IN ('Tax', 'RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee')
    AND NOT ("lineItem/LineItemType" = 'Fee' AND COALESCE("reservation/ReservationARN", '') <> '')
),
lines AS (
  SELECT m.customer, c.service, c.kind,
         ROUND(CASE WHEN c.kind = 'credit' THEN SUM(c.amortized)
                    ELSE SUM(c.amortized) * ANY_VALUE(m.factor) END, 2) AS amount
  FROM costed c JOIN mapping m ON c.account = m.account
  GROUP BY m.customer, c.service, c.kind
)
SELECT customer, service, kind, CAST(amount AS VARCHAR) AS amount,
       CAST(SUM(amount) OVER (PARTITION BY customer) AS VARCHAR) AS total
FROM lines
ORDER BY customer, kind, service`;

const reader = await db.runAndReadAll(sql);
const customers = {};
for (const row of reader.getRowObjectsJson()) {
  const c = (customers[row.customer] ??= { total: row.total, lines: [] });
  c.lines.push({ service: row.service, kind: row.kind, amount: row.amount });
}
writeFileSync(out, JSON.stringify({ engine: 'duckdb', threads: Number(threads), customers }, null, 2) + '\n');
