#include "rebill/pipeline/lifecycle.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "rebill/core/currency.h"
#include "rebill/core/sha256.h"
#include "rebill/ingest/csv_reader_internal.h"
#include "rebill/pipeline/config.h"
#include "rebill/pipeline/lifecycle_internal.h"
#include "rebill/pipeline/runner.h"
#include "rebill/report/render.h"
#include "rebill/report/statement_builder.h"
#include "rebill/store/month_file.h"
#include "rebill/store/workspace_lock.h"

namespace rebill::pipeline {
namespace fs = std::filesystem;
namespace {

// Bookkeeping commands wait this long for another command to finish instead of failing.
constexpr int kLockWaitSeconds = 30;

std::string JoinComma(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

Status RequireWorkspaceConfig(const WorkspacePaths& ws) {
  if (!fs::exists(ws.config)) {
    return NotFound(ws.dir + " is not a rebill workspace (no rebill.toml); create one with " +
                    "`rebill init " + ws.dir + "`");
  }
  return Status::Ok();
}

std::string DatePlusDays(Timestamp t, int64_t days) { return FormatDate(t + days * 86400); }

Result<int> MinorUnits(const std::string& currency) {
  REBILL_ASSIGN_OR_RETURN(Currency c, Currency::Parse(currency));
  return c.minor_units();
}

// Take adjustment lines and the account summary off a statement, leaving what the pricing
// stages built.
void StripLifecycleParts(Statement& s) {
  for (const StatementLine& l : s.lines) {
    if (l.kind != StatementLineKind::kAdjustment) continue;
    s.total -= l.amount;
    s.adjustments -= l.amount;
  }
  std::erase_if(s.lines,
                [](const StatementLine& l) { return l.kind == StatementLineKind::kAdjustment; });
  s.account.reset();
}

StatementLine AdjustmentLine(const store::Adjustment& a) {
  StatementLine line;
  line.kind = StatementLineKind::kAdjustment;
  line.service = a.service;
  line.description = "Correction of " + a.period +
                     (a.original_invoice.empty() ? "" : " (invoice " + a.original_invoice + ")") +
                     ": " + a.description;
  line.precise = a.amount;
  line.amount = a.amount;
  line.rule = a.original_invoice.empty() ? "correction of " + a.period
                                         : "correction of " + a.original_invoice;
  line.original_invoice = a.original_invoice;
  line.reason = a.reason;
  return line;
}

// Put the pending adjustments of closed periods on an open period's statements as adjustment
// lines. Returns the ids of the adjustments put on them.
Result<std::vector<int64_t>> AddPendingAdjustments(store::Store& store, BillingPeriod period,
                                                   StatementSet& set,
                                                   std::vector<std::string>* waiting = nullptr) {
  std::vector<int64_t> applied;
  REBILL_ASSIGN_OR_RETURN(std::vector<store::Adjustment> pending,
                          store.AdjustmentsFor(period.ToString()));
  std::vector<bool> placed(pending.size(), false);
  for (Statement& s : set.statements) {
    std::vector<StatementLine> lines;
    for (size_t i = 0; i < pending.size(); ++i) {
      const store::Adjustment& a = pending[i];
      // A correction in another currency waits for a statement in its currency.
      if (a.customer != s.customer || a.currency != s.currency) continue;
      lines.push_back(AdjustmentLine(a));
      applied.push_back(a.id);
      placed[i] = true;
    }
    REBILL_RETURN_IF_ERROR(report::AddAdjustmentLines(s, lines));
  }
  for (size_t i = 0; waiting != nullptr && i < pending.size(); ++i) {
    const store::Adjustment& a = pending[i];
    if (placed[i]) continue;
    Result<int> digits = MinorUnits(a.currency);
    waiting->push_back("a correction of " + a.period + " for customer '" + a.customer + "' (" +
                       a.amount.ToString(digits.ok() ? *digits : 2) + " " + a.currency +
                       ") waits: this period has no statement for the customer in " + a.currency);
  }
  return applied;
}

// Each customer's account as it stands: the documents of earlier periods issued so far and the
// payments recorded against them. Set on drafts when they are run and again when they are
// finalized, so that an invoice shows the account at its issue.
Status SetAccountSummaries(store::Store& store, BillingPeriod period, StatementSet& set) {
  REBILL_ASSIGN_OR_RETURN(std::vector<store::InvoiceRecord> documents, store.Invoices());
  REBILL_ASSIGN_OR_RETURN(std::vector<store::Payment> payments, store.Payments());
  std::map<std::string, Decimal> paid;  // per document
  for (const store::Payment& p : payments) paid[p.invoice] += p.amount;
  for (Statement& s : set.statements) {
    s.account.reset();
    AccountSummary account;
    bool any = false;
    for (const store::InvoiceRecord& d : documents) {
      if (d.customer != s.customer || d.currency != s.currency) continue;
      if (!(d.period < period.ToString())) continue;
      any = true;
      // A voided invoice and its credit note cancel out, so both simply count.
      account.balance_brought_forward += d.total;
      account.payments_received += paid[d.number];
    }
    if (any) {
      account.amount_due = account.balance_brought_forward - account.payments_received + s.total;
      s.account = account;
    }
  }
  return Status::Ok();
}

// Differences between a closed period's final statements and a restatement, less what earlier
// restatements already recorded.
Result<std::vector<store::Adjustment>> NewAdjustments(store::Store& store, BillingPeriod period,
                                                      const StatementSet& final_set,
                                                      const StatementSet& restated,
                                                      const std::string& reason, Timestamp now) {
  REBILL_ASSIGN_OR_RETURN(std::vector<store::Adjustment> recorded,
                          store.AdjustmentsOf(period.ToString()));
  std::map<std::tuple<std::string, std::string, std::string>, Decimal> already;
  for (const store::Adjustment& a : recorded) already[{a.customer, a.kind, a.service}] += a.amount;
  std::vector<store::Adjustment> out;
  for (const report::StatementChange& change : report::DiffStatements(final_set, restated)) {
    for (const report::LineChange& line : change.lines) {
      if (line.kind == StatementLineKind::kAdjustment) continue;
      const std::string kind(StatementLineKindName(line.kind));
      Decimal delta = line.Delta() - already[{change.customer, kind, line.service}];
      if (delta.IsZero()) continue;
      store::Adjustment a;
      a.period = period.ToString();
      a.customer = change.customer;
      a.kind = kind;
      a.service = line.service;
      a.description = line.description;
      a.amount = delta;
      a.currency = change.currency;
      a.original_invoice = change.invoice_number;
      a.reason = reason;
      a.created_at = FormatTimestamp(now);
      out.push_back(std::move(a));
    }
  }
  return out;
}

// A period's frozen statements as they stand: voided invoices read void.
Result<StatementSet> FrozenStatements(store::Store& store, const store::ClosedPeriod& closed) {
  REBILL_ASSIGN_OR_RETURN(StatementSet set, report::ParseStatementsJson(closed.statements_json));
  for (Statement& s : set.statements) {
    REBILL_ASSIGN_OR_RETURN(std::optional<store::InvoiceRecord> invoice,
                            store.FindInvoice(s.invoice_number));
    if (invoice && invoice->status == "void") s.status = StatementStatus::kVoid;
  }
  return set;
}

// A note (credit or debit) as a one-statement set of adjustment lines.
Result<std::string> NoteJson(const std::string& reseller, BillingPeriod period,
                             const Statement& like, const std::string& number,
                             const std::vector<StatementLine>& lines, const std::string& issued,
                             const std::string& due) {
  StatementSet set;
  set.period = period;
  set.reseller = reseller;
  Statement note;
  note.customer = like.customer;
  note.customer_name = like.customer_name;
  note.period = period;
  note.currency = like.currency;
  note.status = StatementStatus::kFinal;
  note.invoice_number = number;
  note.issued = issued;
  note.due_date = due;
  REBILL_RETURN_IF_ERROR(report::AddAdjustmentLines(note, lines));
  set.statements.push_back(std::move(note));
  return report::RenderJson(set);
}

}  // namespace

namespace internal {

Status PrepareRun(store::Store& store, BillingPeriod period, Timestamp now,
                  StatementSet& statements, store::RunRecord& run,
                  std::vector<std::string>& warnings) {
  REBILL_ASSIGN_OR_RETURN(std::optional<store::ClosedPeriod> closed,
                          store.FindClosedPeriod(period.ToString()));
  if (!closed) {
    REBILL_ASSIGN_OR_RETURN(run.applied_adjustments,
                            AddPendingAdjustments(store, period, statements, &warnings));
    return SetAccountSummaries(store, period, statements);
  }
  REBILL_ASSIGN_OR_RETURN(StatementSet final_set,
                          report::ParseStatementsJson(closed->statements_json));
  // What the final statements carried from other periods, the restatement carries too, so that
  // only this period's own differences show.
  for (Statement& s : statements.statements) {
    for (const Statement& f : final_set.statements) {
      if (f.customer != s.customer) continue;
      std::vector<StatementLine> carried;
      for (const StatementLine& l : f.lines) {
        if (l.kind == StatementLineKind::kAdjustment) carried.push_back(l);
      }
      REBILL_RETURN_IF_ERROR(report::AddAdjustmentLines(s, carried));
      s.account = f.account;
    }
  }
  run.restated = true;
  // Say what changed since the close: the billing data (a newer delivery), the configuration,
  // or both. The run the period was closed from is still its latest draft.
  REBILL_ASSIGN_OR_RETURN(std::optional<store::RunRecord> closing,
                          store.LatestRun(period.ToString()));
  const bool data_changed = !closing || closing->month_sha256 != run.month_sha256;
  const bool config_changed = closed->config_sha256 != run.config_sha256;
  std::string reason = data_changed ? "a newer CUR delivery for " + period.ToString() +
                                          " arrived after the period closed"
                                    : "the " + period.ToString() + " statements changed";
  if (config_changed) reason += data_changed ? "; rebill.toml changed too" : " with rebill.toml";
  REBILL_ASSIGN_OR_RETURN(run.new_adjustments,
                          NewAdjustments(store, period, final_set, statements, reason, now));
  return Status::Ok();
}

Result<int64_t> RecordRun(store::Store& store, const WorkspaceConfig& config, store::RunRecord& run,
                          const store::AuditEntry& audit, Timestamp now) {
  if (!config.invoice.corrections_as_notes || run.new_adjustments.empty()) {
    return store.RecordRun(run, audit);
  }
  REBILL_ASSIGN_OR_RETURN(BillingPeriod period, BillingPeriod::Parse(run.period));
  REBILL_ASSIGN_OR_RETURN(std::optional<store::ClosedPeriod> closed,
                          store.FindClosedPeriod(run.period));
  if (!closed) return Internal("corrections as notes for a period that is not closed");
  REBILL_ASSIGN_OR_RETURN(StatementSet final_set,
                          report::ParseStatementsJson(closed->statements_json));
  int64_t id = 0;
  Status finalized = store.Finalize([&]() -> Status {
    // One note per customer and corrected invoice.
    std::map<std::pair<std::string, std::string>, std::vector<store::Adjustment*>> groups;
    for (store::Adjustment& a : run.new_adjustments) {
      groups[{a.customer, a.original_invoice}].push_back(&a);
    }
    for (auto& [key, adjustments] : groups) {
      Decimal total;
      std::vector<StatementLine> lines;
      for (const store::Adjustment* a : adjustments) {
        total += a->amount;
        lines.push_back(AdjustmentLine(*a));
      }
      if (total.IsZero()) continue;  // differences that cancel wait on the next statement
      Statement like;
      like.customer = key.first;
      like.currency = adjustments.front()->currency;
      for (const Statement& f : final_set.statements) {
        if (f.customer == key.first) like.customer_name = f.customer_name;
      }
      const bool credit = total.Sign() < 0;
      REBILL_ASSIGN_OR_RETURN(int64_t seq, store.TakeInvoiceSeq(config.legal_entity));
      REBILL_ASSIGN_OR_RETURN(std::string number,
                              report::FormatInvoiceNumber(credit ? config.invoice.credit_note_format
                                                                 : config.invoice.debit_note_format,
                                                          period, seq));
      store::InvoiceRecord note;
      note.number = number;
      note.entity = config.legal_entity;
      note.seq = seq;
      note.kind = credit ? "credit_note" : "debit_note";
      note.period = run.period;
      note.customer = like.customer;
      note.currency = like.currency;
      note.total = total;
      note.status = "final";
      note.issued = FormatDate(now);
      note.due_date = DatePlusDays(now, config.invoice.payment_terms_days);
      note.related = key.second;
      note.reason = adjustments.front()->reason;
      REBILL_ASSIGN_OR_RETURN(note.content_json, NoteJson(config.legal_entity, period, like, number,
                                                          lines, note.issued, note.due_date));
      REBILL_RETURN_IF_ERROR(store.InsertInvoice(note));
      for (store::Adjustment* a : adjustments) a->note_number = number;
    }
    REBILL_ASSIGN_OR_RETURN(id, store.InsertRun(run, audit));
    return Status::Ok();
  });
  if (!finalized.ok()) return finalized;
  return id;
}

}  // namespace internal

Result<CloseOutcome> ClosePeriod(const std::string& workspace, BillingPeriod period,
                                 const CloseOptions& options, Timestamp now,
                                 const std::string& actor) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspaceConfig(ws));
  REBILL_ASSIGN_OR_RETURN(auto lock,
                          store::WorkspaceLock::AcquireWaiting(workspace, kLockWaitSeconds));
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  const std::string p = period.ToString();
  REBILL_ASSIGN_OR_RETURN(std::optional<store::ClosedPeriod> already, store->FindClosedPeriod(p));
  if (already) {
    return FailedPrecondition(p + " is already closed (on " + already->closed_at + " by " +
                              already->actor +
                              "); its invoices never change. To correct one, void it with "
                              "`rebill void --invoice NUMBER --reason TEXT`");
  }
  REBILL_ASSIGN_OR_RETURN(std::optional<store::RunRecord> run, store->LatestRun(p));
  if (!run) {
    return FailedPrecondition("cannot close " + p + ": there is no run; run `rebill run --period " +
                              p + "` first");
  }
  REBILL_ASSIGN_OR_RETURN(WorkspaceConfig config, LoadConfig(ws.config));

  // Every precondition is checked, so that one refusal lists everything to fix.
  std::vector<std::string> reasons;
  if (config.sha256 != run->config_sha256) {
    reasons.push_back("rebill.toml changed since the latest run; run `rebill run --period " + p +
                      "` again");
  }
  REBILL_ASSIGN_OR_RETURN(std::vector<store::MonthRecord> months, store->MonthsOf(p));
  std::vector<std::string> shas;
  for (const store::MonthRecord& m : months) shas.push_back(m.month_sha256);
  if (shas != run->month_sha256) {
    reasons.push_back(
        "the billing data changed since the latest run (a new delivery was "
        "ingested); run `rebill run --period " +
        p + "` again");
  }
  for (const store::MonthRecord& m : months) {
    REBILL_ASSIGN_OR_RETURN(NormalizedMonth month,
                            store::ReadMonthFile(ws.dir + "/" + m.month_file));
    if (!month.IsFinal()) {
      reasons.push_back("the CUR of payer " + m.payer + " for " + p +
                        " is not final (no bill/InvoiceId yet; AWS finalizes a month in the first "
                        "days of the next); ingest the final delivery");
    }
    std::set<std::string> unknown;
    for (const CurLine& line : month.lines) {
      if (line.type == LineItemType::kUnknown) unknown.insert(line.type_text);
    }
    for (const std::string& type : unknown) {
      reasons.push_back("payer " + m.payer + " has line items of the unknown type '" + type +
                        "' in quarantine; teach rebill the type before closing");
    }
  }
  auto accounts = nlohmann::json::parse(run->accounts_json, nullptr, false);
  if (accounts.is_object() && accounts.contains("unassigned_spend") &&
      accounts["unassigned_spend"].is_array() && !accounts["unassigned_spend"].empty() &&
      !options.acknowledge_unassigned) {
    std::vector<std::string> ids;
    for (const auto& u : accounts["unassigned_spend"]) {
      ids.push_back(u.value("account", std::string("?")) + " (" +
                    (u.contains("amount") && u["amount"].is_string()
                         ? u["amount"].get<std::string>()
                         : std::string("?")) +
                    ")");
    }
    reasons.push_back("spend of " + std::to_string(ids.size()) +
                      " account(s) has no customer: " + JoinComma(ids) +
                      "; assign them in rebill.toml, or close with --acknowledge-unassigned");
  }
  auto invariants = nlohmann::json::parse(run->invariants_json, nullptr, false);
  const char* required[] = {"every_line_lands_once", "statements_add_up", "margin_identity",
                            "conservation"};
  for (const char* name : required) {
    if (!invariants.is_object() || invariants.value(name, std::string()) != "ok") {
      reasons.push_back(std::string("invariant '") + name + "' did not hold on the latest run");
    }
  }
  REBILL_ASSIGN_OR_RETURN(StatementSet set, report::ParseStatementsJson(run->statements_json));
  for (const Statement& s : set.statements) {
    if (Status check = report::CheckStatement(s); !check.ok()) reasons.push_back(check.message());
  }
  // The draft must carry the corrections of closed periods as they stand now (account
  // balances are set again when the invoices are issued).
  {
    StatementSet fresh = set;
    for (Statement& s : fresh.statements) StripLifecycleParts(s);
    REBILL_ASSIGN_OR_RETURN(std::vector<int64_t> ignored,
                            AddPendingAdjustments(*store, period, fresh));
    (void)ignored;
    StatementSet drafted = set;
    for (Statement& s : drafted.statements) s.account.reset();
    if (!(fresh == drafted)) {
      reasons.push_back(
          "corrections of closed periods were recorded since the latest run; run "
          "`rebill run --period " +
          p + "` again to put them on the statements");
    }
  }
  if (!reasons.empty()) {
    std::string message = "cannot close " + p + ":";
    for (const std::string& r : reasons) message += "\n  - " + r;
    return FailedPrecondition(message);
  }

  CloseOutcome outcome;
  outcome.period = period;
  const int64_t run_id = run->id;
  Status finalized = store->Finalize([&]() -> Status {
    // Another store user may have got here first.
    REBILL_ASSIGN_OR_RETURN(std::optional<store::ClosedPeriod> raced, store->FindClosedPeriod(p));
    if (raced) return FailedPrecondition(p + " was closed meanwhile by " + raced->actor);
    REBILL_ASSIGN_OR_RETURN(std::optional<store::RunRecord> latest, store->LatestRun(p));
    if (!latest || latest->id != run_id) {
      return FailedPrecondition(p + " was run again meanwhile; check and close again");
    }
    const std::string issued = FormatDate(now);
    const std::string due = DatePlusDays(now, config.invoice.payment_terms_days);
    REBILL_RETURN_IF_ERROR(SetAccountSummaries(*store, period, set));
    std::vector<FxRate> locked;
    for (Statement& s : set.statements) {
      REBILL_ASSIGN_OR_RETURN(int64_t seq, store->TakeInvoiceSeq(config.legal_entity));
      REBILL_ASSIGN_OR_RETURN(
          s.invoice_number, report::FormatInvoiceNumber(config.invoice.number_format, period, seq));
      s.status = StatementStatus::kFinal;
      s.issued = issued;
      s.due_date = due;
      if (s.fx && std::find(locked.begin(), locked.end(), *s.fx) == locked.end()) {
        locked.push_back(*s.fx);
      }
      store::InvoiceRecord invoice;
      invoice.number = s.invoice_number;
      invoice.entity = config.legal_entity;
      invoice.seq = seq;
      invoice.kind = "invoice";
      invoice.period = p;
      invoice.customer = s.customer;
      invoice.currency = s.currency;
      invoice.total = s.total;
      invoice.status = "final";
      invoice.issued = issued;
      invoice.due_date = due;
      outcome.invoices.push_back(invoice);
    }
    const std::string frozen = report::RenderJson(set);
    // Freezing is only worth its name if the stored form renders back to the same bytes.
    REBILL_ASSIGN_OR_RETURN(StatementSet reread, report::ParseStatementsJson(frozen));
    if (!(reread == set) || report::RenderJson(reread) != frozen) {
      return Internal("the statements of " + p + " do not read back as they were written");
    }
    for (const store::InvoiceRecord& invoice : outcome.invoices) {
      REBILL_RETURN_IF_ERROR(store->InsertInvoice(invoice));
    }
    REBILL_RETURN_IF_ERROR(store->InsertFrozenRender(p, "", "csv", report::RenderCsv(set)));
    for (const Statement& s : set.statements) {
      REBILL_ASSIGN_OR_RETURN(report::RenderAssets assets, StatementAssets(workspace, s));
      REBILL_RETURN_IF_ERROR(
          store->InsertFrozenRender(p, s.customer, "html", report::RenderHtml(s, assets)));
    }
    REBILL_RETURN_IF_ERROR(store->InsertClosedPeriod(
        store::ClosedPeriod{p, FormatTimestamp(now), actor, run_id, config.sha256, frozen},
        locked));
    std::string detail = std::to_string(outcome.invoices.size()) + " invoices";
    if (!outcome.invoices.empty()) {
      detail += " " + outcome.invoices.front().number + " to " + outcome.invoices.back().number;
    }
    if (options.acknowledge_unassigned) detail += ", unassigned spend acknowledged";
    return store->Audit(
        {FormatTimestamp(now), actor, "close", p, detail, config.sha256, JoinComma(shas)});
  });
  if (!finalized.ok()) return finalized;
  return outcome;
}

Result<VoidOutcome> VoidInvoice(const std::string& workspace, const std::string& number,
                                const std::string& reason, Timestamp now,
                                const std::string& actor) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspaceConfig(ws));
  if (reason.empty()) return InvalidInput("--reason: say why the invoice is voided");
  REBILL_ASSIGN_OR_RETURN(WorkspaceConfig config, LoadConfig(ws.config));
  REBILL_ASSIGN_OR_RETURN(auto lock,
                          store::WorkspaceLock::AcquireWaiting(workspace, kLockWaitSeconds));
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  VoidOutcome outcome;
  Status finalized = store->Finalize([&]() -> Status {
    REBILL_ASSIGN_OR_RETURN(std::optional<store::InvoiceRecord> invoice,
                            store->FindInvoice(number));
    if (!invoice) return NotFound("there is no invoice " + number + "; check the number");
    if (invoice->kind != "invoice") {
      return FailedPrecondition(number + " is a " + invoice->kind +
                                ", not an invoice; only invoices are voided");
    }
    if (invoice->status == "void") {
      return FailedPrecondition("invoice " + number + " is already void");
    }
    REBILL_ASSIGN_OR_RETURN(BillingPeriod period, BillingPeriod::Parse(invoice->period));
    REBILL_ASSIGN_OR_RETURN(std::optional<store::ClosedPeriod> closed,
                            store->FindClosedPeriod(invoice->period));
    if (!closed) return Internal("invoice " + number + " belongs to no closed period");
    REBILL_ASSIGN_OR_RETURN(StatementSet set, report::ParseStatementsJson(closed->statements_json));
    const Statement* original = nullptr;
    for (const Statement& s : set.statements) {
      if (s.invoice_number == number) original = &s;
    }
    if (original == nullptr) return Internal("invoice " + number + " is not in its period");
    // The sequence belongs to the entity that issued the invoice.
    REBILL_ASSIGN_OR_RETURN(int64_t seq, store->TakeInvoiceSeq(invoice->entity));
    REBILL_ASSIGN_OR_RETURN(
        std::string credit_number,
        report::FormatInvoiceNumber(config.invoice.credit_note_format, period, seq));
    StatementLine line;
    line.kind = StatementLineKind::kAdjustment;
    line.service = "Void";
    line.description = "Credit for invoice " + number + " (void: " + reason + ")";
    line.precise = -invoice->total;
    line.amount = -invoice->total;
    line.rule = "void of " + number;
    line.original_invoice = number;
    line.reason = reason;
    store::InvoiceRecord note;
    note.number = credit_number;
    note.entity = invoice->entity;
    note.seq = seq;
    note.kind = "credit_note";
    note.period = invoice->period;
    note.customer = invoice->customer;
    note.currency = invoice->currency;
    note.total = -invoice->total;
    note.status = "final";
    note.issued = FormatDate(now);
    note.due_date = note.issued;
    note.related = number;
    note.reason = reason;
    REBILL_ASSIGN_OR_RETURN(note.content_json,
                            NoteJson(set.reseller, period, *original, credit_number, {line},
                                     note.issued, note.due_date));
    REBILL_RETURN_IF_ERROR(store->SetInvoiceStatus(number, "void"));
    REBILL_RETURN_IF_ERROR(store->InsertInvoice(note));
    outcome.voided = *invoice;
    outcome.voided.status = "void";
    outcome.credit_note = note;
    return store->Audit({FormatTimestamp(now), actor, "void", invoice->period,
                         number + " voided (" + reason + "), credit note " + credit_number,
                         config.sha256, Sha256Hex(closed->statements_json)});
  });
  if (!finalized.ok()) return finalized;
  return outcome;
}

Result<PeriodStatements> LoadStatements(const std::string& workspace, BillingPeriod period) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspaceConfig(ws));
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  REBILL_ASSIGN_OR_RETURN(std::optional<store::ClosedPeriod> closed,
                          store->FindClosedPeriod(period.ToString()));
  PeriodStatements out;
  if (closed) {
    out.closed = true;
    REBILL_ASSIGN_OR_RETURN(out.set, FrozenStatements(*store, *closed));
    out.json = closed->statements_json;
    bool any_void = false;
    for (const Statement& s : out.set.statements) {
      if (s.status == StatementStatus::kVoid) {
        any_void = true;
        continue;
      }
      REBILL_ASSIGN_OR_RETURN(std::optional<std::string> html,
                              store->FindFrozenRender(closed->period, s.customer, "html"));
      if (html) out.frozen_html[s.customer] = std::move(*html);
    }
    if (!any_void) {
      REBILL_ASSIGN_OR_RETURN(std::optional<std::string> csv,
                              store->FindFrozenRender(closed->period, "", "csv"));
      if (csv) out.frozen_csv = std::move(*csv);
    }
    return out;
  }
  REBILL_ASSIGN_OR_RETURN(store::RunRecord run, LatestRun(workspace, period));
  REBILL_ASSIGN_OR_RETURN(out.set, report::ParseStatementsJson(run.statements_json));
  out.json = std::move(run.statements_json);
  return out;
}

Result<PeriodStatements> LoadDocument(const std::string& workspace, const std::string& number) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspaceConfig(ws));
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  REBILL_ASSIGN_OR_RETURN(std::optional<store::InvoiceRecord> document, store->FindInvoice(number));
  if (!document) return NotFound("there is no invoice or note " + number + "; check the number");
  PeriodStatements out;
  out.closed = true;
  if (document->kind != "invoice") {
    out.json = document->content_json;
    REBILL_ASSIGN_OR_RETURN(out.set, report::ParseStatementsJson(out.json));
    return out;
  }
  REBILL_ASSIGN_OR_RETURN(std::optional<store::ClosedPeriod> closed,
                          store->FindClosedPeriod(document->period));
  if (!closed) return Internal("invoice " + number + " belongs to no closed period");
  REBILL_ASSIGN_OR_RETURN(out.set, FrozenStatements(*store, *closed));
  std::erase_if(out.set.statements, [&](const Statement& s) { return s.invoice_number != number; });
  out.json = report::RenderJson(out.set);
  return out;
}

Result<PeriodDiff> DiffPeriod(const std::string& workspace, BillingPeriod period) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspaceConfig(ws));
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  PeriodDiff out;
  out.period = period;
  REBILL_ASSIGN_OR_RETURN(std::optional<store::ClosedPeriod> closed,
                          store->FindClosedPeriod(period.ToString()));
  std::optional<std::string> before, after;
  if (closed) {
    out.against = "close";
    before = closed->statements_json;
    REBILL_ASSIGN_OR_RETURN(after, store->RestatedStatements(period.ToString()));
  } else {
    out.against = "previous run";
    REBILL_ASSIGN_OR_RETURN(store::RunRecord run, LatestRun(workspace, period));
    after = run.statements_json;
    REBILL_ASSIGN_OR_RETURN(before, store->PreviousStatements(period.ToString()));
  }
  if (!before || !after) return out;
  out.compared = true;
  REBILL_ASSIGN_OR_RETURN(StatementSet b, report::ParseStatementsJson(*before));
  REBILL_ASSIGN_OR_RETURN(StatementSet a, report::ParseStatementsJson(*after));
  out.changes = report::DiffStatements(b, a);
  return out;
}

namespace {

// A payment checked against the store; `where` names the source in errors.
Result<store::Payment> CheckPayment(store::Store& store, const std::string& invoice,
                                    const std::string& amount, const std::string& paid_on,
                                    const std::string& reference, const std::string& where) {
  REBILL_ASSIGN_OR_RETURN(std::optional<store::InvoiceRecord> document, store.FindInvoice(invoice));
  if (!document) return NotFound(where + "invoice: there is no invoice " + invoice);
  if (document->status == "void") {
    return FailedPrecondition(where + "invoice: " + invoice +
                              " is void; record the payment "
                              "against the invoice that replaced it");
  }
  if (document->kind == "credit_note") {
    return FailedPrecondition(where + "invoice: " + invoice + " is a credit note; nothing is due");
  }
  Result<Decimal> value = Decimal::Parse(amount);
  if (!value.ok() || value->Sign() <= 0) {
    return InvalidInput(where + "amount: '" + amount + "' is not a positive decimal number");
  }
  REBILL_ASSIGN_OR_RETURN(int digits, MinorUnits(document->currency));
  if (value->Round(digits, RoundingMode::kHalfUp) != *value) {
    return InvalidInput(where + "amount: '" + amount + "' has more decimals than " +
                        document->currency + " has minor units (" + std::to_string(digits) + ")");
  }
  Result<Timestamp> date = ParseTimestamp(paid_on);
  if (!date.ok() || paid_on.size() != 10 || FormatDate(*date) != paid_on) {
    return InvalidInput(where + "date: '" + paid_on + "' is not a date (YYYY-MM-DD)");
  }
  store::Payment p;
  p.invoice = invoice;
  p.amount = *value;
  p.paid_on = paid_on;
  p.reference = reference;
  return p;
}

Status RecordPayments(const std::string& workspace, std::vector<store::Payment>& payments,
                      const std::vector<std::string>& wheres, Timestamp now,
                      const std::string& actor, const std::string& source) {
  WorkspacePaths ws(workspace);
  REBILL_ASSIGN_OR_RETURN(WorkspaceConfig config, LoadConfig(ws.config));
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  return store->Finalize([&]() -> Status {
    for (size_t i = 0; i < payments.size(); ++i) {
      store::Payment& p = payments[i];
      // Checked again inside the transaction: an invoice may have been voided meanwhile.
      REBILL_ASSIGN_OR_RETURN(
          store::Payment checked,
          CheckPayment(*store, p.invoice, p.amount.ToString(), p.paid_on, p.reference, wheres[i]));
      (void)checked;
      p.recorded_at = FormatTimestamp(now);
      p.actor = actor;
      REBILL_RETURN_IF_ERROR(store->InsertPayment(p));
      REBILL_ASSIGN_OR_RETURN(std::optional<store::InvoiceRecord> document,
                              store->FindInvoice(p.invoice));
      REBILL_RETURN_IF_ERROR(
          store->Audit({FormatTimestamp(now), actor, "payment", document ? document->period : "",
                        p.invoice + " paid " + p.amount.ToString() + " on " + p.paid_on +
                            (p.reference.empty() ? "" : " (" + p.reference + ")"),
                        config.sha256, source}));
    }
    return Status::Ok();
  });
}

}  // namespace

Result<store::Payment> RecordPayment(const std::string& workspace, const std::string& invoice,
                                     const std::string& amount, const std::string& paid_on,
                                     const std::string& reference, Timestamp now,
                                     const std::string& actor) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspaceConfig(ws));
  REBILL_ASSIGN_OR_RETURN(auto lock,
                          store::WorkspaceLock::AcquireWaiting(workspace, kLockWaitSeconds));
  std::vector<store::Payment> payments;
  {
    REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
    REBILL_ASSIGN_OR_RETURN(store::Payment p,
                            CheckPayment(*store, invoice, amount, paid_on, reference, "--"));
    payments.push_back(std::move(p));
  }
  REBILL_RETURN_IF_ERROR(RecordPayments(workspace, payments, {"--"}, now, actor, ""));
  return payments.front();
}

Result<size_t> ImportPayments(const std::string& workspace, const std::string& path, Timestamp now,
                              const std::string& actor) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspaceConfig(ws));
  REBILL_ASSIGN_OR_RETURN(auto lock,
                          store::WorkspaceLock::AcquireWaiting(workspace, kLockWaitSeconds));
  if (!fs::exists(path)) return NotFound(path + ": no such file");
  REBILL_ASSIGN_OR_RETURN(std::unique_ptr<ingest::ByteSource> source,
                          ingest::ByteSource::Open(path));
  ingest::CsvReader reader(std::move(source), path);
  std::vector<std::string_view> fields;
  REBILL_ASSIGN_OR_RETURN(bool has_header, reader.Next(fields));
  const std::vector<std::string_view> expected = {"invoice", "amount", "date", "reference"};
  if (!has_header || fields != expected) {
    return InvalidInput(path + ": the header must be invoice,amount,date,reference");
  }
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  std::vector<store::Payment> payments;
  std::vector<std::string> wheres;
  for (;;) {
    REBILL_ASSIGN_OR_RETURN(bool more, reader.Next(fields));
    if (!more) break;
    if (fields.size() == 1 && fields[0].empty()) continue;
    std::string where = path + ": row " + std::to_string(reader.record_index()) + ", column ";
    if (fields.size() != expected.size()) {
      return InvalidInput(path + ": row " + std::to_string(reader.record_index()) +
                          ": expected 4 fields (invoice,amount,date,reference)");
    }
    REBILL_ASSIGN_OR_RETURN(store::Payment p,
                            CheckPayment(*store, std::string(fields[0]), std::string(fields[1]),
                                         std::string(fields[2]), std::string(fields[3]), where));
    payments.push_back(std::move(p));
    wheres.push_back(where);
  }
  store.reset();
  REBILL_ASSIGN_OR_RETURN(std::string sha, [&]() -> Result<std::string> {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return Sha256Hex(bytes);
  }());
  REBILL_RETURN_IF_ERROR(RecordPayments(workspace, payments, wheres, now, actor, sha));
  return payments.size();
}

Result<Receivables> ListReceivables(const std::string& workspace, const std::string& as_of) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspaceConfig(ws));
  Result<Timestamp> date = ParseTimestamp(as_of);
  if (!date.ok() || as_of.size() != 10 || FormatDate(*date) != as_of) {
    return InvalidInput("--as-of: '" + as_of + "' is not a date (YYYY-MM-DD)");
  }
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  REBILL_ASSIGN_OR_RETURN(std::vector<store::InvoiceRecord> documents, store->Invoices());
  REBILL_ASSIGN_OR_RETURN(std::vector<store::Payment> payments, store->Payments());
  std::set<std::string> voided;
  for (const store::InvoiceRecord& d : documents) {
    if (d.status == "void") voided.insert(d.number);
  }
  Receivables out;
  out.as_of = as_of;
  std::map<std::pair<std::string, std::string>, CustomerAging> aging;
  for (const store::InvoiceRecord& d : documents) {
    if (as_of < d.issued) continue;  // not issued yet at that date
    ReceivableDocument r;
    r.document = d;
    for (const store::Payment& p : payments) {
      if (p.invoice == d.number && p.paid_on <= as_of) r.paid += p.amount;
    }
    r.open = d.total - r.paid;
    const bool cancelled =
        d.status == "void" || (d.kind == "credit_note" && voided.count(d.related));
    r.state = report::StateOf(d.total, r.paid, d.due_date, as_of, d.status == "void");
    REBILL_ASSIGN_OR_RETURN(r.bucket, report::AgingBucket(d.due_date, as_of));
    if (!cancelled && !r.open.IsZero()) {
      CustomerAging& c = aging[{d.customer, d.currency}];
      c.customer = d.customer;
      c.currency = d.currency;
      // What the reseller owes back (credit notes) counts as current.
      size_t bucket = r.open.Sign() < 0 ? 0 : r.bucket;
      c.buckets[bucket] += r.open;
      c.total += r.open;
    }
    out.documents.push_back(std::move(r));
  }
  for (auto& [key, c] : aging) out.customers.push_back(std::move(c));
  return out;
}

}  // namespace rebill::pipeline
