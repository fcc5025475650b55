// Write a generated CUR CSV as Parquet the way DuckDB writes it by default: column names kept,
// types inferred (costs DOUBLE, dates TIMESTAMP), account ids as text.
//
//   node bench/csv_to_parquet.mjs CUR.csv OUT.parquet snappy|zstd [THREADS]
import { DuckDBInstance } from '@duckdb/node-api';

const [csv, out, codec, threads = '2'] = process.argv.slice(2);
if (!csv || !out || !['snappy', 'zstd'].includes(codec)) {
  console.error('usage: node csv_to_parquet.mjs CUR.csv OUT.parquet snappy|zstd [THREADS]');
  process.exit(2);
}
const quote = (s) => `'${s.replaceAll("'", "''")}'`;
const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const db = await instance.connect();
await db.run(`COPY (SELECT * FROM read_csv(${quote(csv)}, header = true,
    types = {'bill/PayerAccountId': 'VARCHAR', 'lineItem/UsageAccountId': 'VARCHAR'}))
  TO ${quote(out)} (FORMAT parquet, COMPRESSION ${codec})`);
