#include "rebill/report/lifecycle.h"

#include <cstdio>
#include <map>

#include "rebill/report/statement_builder.h"

namespace rebill::report {
namespace {

struct Placeholder {
  std::string name;  // "year", "month", "seq"
  int width = 0;     // {seq:05} -> 5
};

// Parse "{name}" or "{seq:0N}" starting at `text[open]` == '{'; returns the index after '}'.
Result<size_t> ParsePlaceholder(const std::string& text, size_t open, Placeholder& out) {
  size_t close = text.find('}', open);
  if (close == std::string::npos) {
    return InvalidInput("'{' at position " + std::to_string(open) + " is never closed");
  }
  std::string inner = text.substr(open + 1, close - open - 1);
  out = Placeholder{};
  if (inner == "year" || inner == "month" || inner == "seq") {
    out.name = inner;
    return close + 1;
  }
  if (inner.rfind("seq:0", 0) == 0 && inner.size() > 5 && inner.size() <= 7) {
    int width = 0;
    for (size_t i = 5; i < inner.size(); ++i) {
      if (inner[i] < '0' || inner[i] > '9') {
        return InvalidInput("'{" + inner + "}': the width must be digits, e.g. {seq:05}");
      }
      width = width * 10 + (inner[i] - '0');
    }
    if (width < 1 || width > 12) {
      return InvalidInput("'{" + inner + "}': the width must be 1 to 12");
    }
    out.name = "seq";
    out.width = width;
    return close + 1;
  }
  return InvalidInput("unknown placeholder '{" + inner +
                      "}'; use {year}, {month}, {seq} or {seq:05}");
}

}  // namespace

Status CheckNumberFormat(const std::string& format) {
  int seqs = 0;
  for (size_t i = 0; i < format.size();) {
    if (format[i] == '}')
      return InvalidInput("'}' at position " + std::to_string(i) + " has no '{'");
    if (format[i] != '{') {
      unsigned char c = static_cast<unsigned char>(format[i]);
      if (c < 0x20 || c == '/' || c == '\\') {
        return InvalidInput("document numbers may not contain control characters or slashes");
      }
      ++i;
      continue;
    }
    Placeholder p;
    REBILL_ASSIGN_OR_RETURN(i, ParsePlaceholder(format, i, p));
    if (p.name == "seq") ++seqs;
  }
  if (seqs != 1) {
    return InvalidInput(
        "must contain the sequence number {seq} (or {seq:05}) exactly once, so that "
        "every number is different");
  }
  return Status::Ok();
}

Result<std::string> FormatInvoiceNumber(const std::string& format, BillingPeriod period,
                                        int64_t seq) {
  REBILL_RETURN_IF_ERROR(CheckNumberFormat(format));
  if (seq < 1) return InvalidInput("sequence numbers start at 1");
  std::string out;
  for (size_t i = 0; i < format.size();) {
    if (format[i] != '{') {
      out.push_back(format[i++]);
      continue;
    }
    Placeholder p;
    REBILL_ASSIGN_OR_RETURN(i, ParsePlaceholder(format, i, p));
    char buffer[32];
    if (p.name == "year") {
      std::snprintf(buffer, sizeof buffer, "%04d", period.year());
    } else if (p.name == "month") {
      std::snprintf(buffer, sizeof buffer, "%02d", period.month());
    } else {
      std::snprintf(buffer, sizeof buffer, "%0*lld", p.width, static_cast<long long>(seq));
    }
    out += buffer;
  }
  return out;
}

std::vector<StatementChange> DiffStatements(const StatementSet& before, const StatementSet& after) {
  std::map<std::string, const Statement*> earlier;
  for (const Statement& s : before.statements) earlier[s.customer] = &s;
  std::vector<StatementChange> out;
  auto diff = [&](const Statement* b, const Statement* a) {
    const Statement& any = a != nullptr ? *a : *b;
    StatementChange change;
    change.customer = any.customer;
    change.currency = any.currency;
    change.added = b == nullptr;
    change.removed = a == nullptr;
    if (b != nullptr) {
      change.invoice_number = b->invoice_number;
      change.total_before = b->total;
    }
    if (a != nullptr) change.total_after = a->total;
    std::vector<std::pair<std::pair<StatementLineKind, std::string>, LineChange>> lines;
    auto find = [&](StatementLineKind kind, const std::string& service) -> LineChange& {
      for (auto& [key, line] : lines) {
        if (key.first == kind && key.second == service) return line;
      }
      LineChange line;
      line.kind = kind;
      line.service = service;
      lines.emplace_back(std::make_pair(kind, service), line);
      return lines.back().second;
    };
    if (a != nullptr) {
      for (const StatementLine& l : a->lines) {
        LineChange& line = find(l.kind, l.service);
        line.description = l.description;
        line.after += l.amount;
      }
    }
    if (b != nullptr) {
      for (const StatementLine& l : b->lines) {
        LineChange& line = find(l.kind, l.service);
        if (line.description.empty()) line.description = l.description;
        line.before += l.amount;
      }
    }
    for (auto& [key, line] : lines) {
      if (line.before != line.after) change.lines.push_back(std::move(line));
    }
    if (!change.lines.empty() || change.total_before != change.total_after || change.added ||
        change.removed) {
      out.push_back(std::move(change));
    }
  };
  for (const Statement& s : after.statements) {
    auto it = earlier.find(s.customer);
    diff(it == earlier.end() ? nullptr : it->second, &s);
    if (it != earlier.end()) earlier.erase(it);
  }
  for (const Statement& s : before.statements) {
    if (earlier.count(s.customer) != 0) diff(&s, nullptr);
  }
  return out;
}

Status AddAdjustmentLines(Statement& statement, const std::vector<StatementLine>& adjustments) {
  for (const StatementLine& line : adjustments) {
    if (line.kind != StatementLineKind::kAdjustment) {
      return Internal("only adjustment lines can be added to a built statement");
    }
    statement.adjustments += line.amount;
    statement.total += line.amount;
    statement.lines.push_back(line);
  }
  return CheckStatement(statement);
}

std::string_view InvoiceStateName(InvoiceState state) {
  switch (state) {
    case InvoiceState::kOpen:
      return "open";
    case InvoiceState::kPartiallyPaid:
      return "partially paid";
    case InvoiceState::kPaid:
      return "paid";
    case InvoiceState::kOverdue:
      return "overdue";
    case InvoiceState::kVoid:
      return "void";
  }
  return "open";
}

InvoiceState StateOf(const Decimal& total, const Decimal& paid, const std::string& due_date,
                     const std::string& as_of, bool voided) {
  if (voided) return InvoiceState::kVoid;
  if (total.Sign() <= 0 || paid >= total) return InvoiceState::kPaid;
  // Dates are YYYY-MM-DD: text order is date order.
  if (as_of > due_date) return InvoiceState::kOverdue;
  return paid.IsZero() ? InvoiceState::kOpen : InvoiceState::kPartiallyPaid;
}

Result<size_t> AgingBucket(const std::string& due_date, const std::string& as_of) {
  Result<Timestamp> due = ParseTimestamp(due_date);
  if (!due.ok() || due_date.size() != 10) {
    return InvalidInput("'" + due_date + "' is not a date (YYYY-MM-DD)");
  }
  Result<Timestamp> seen = ParseTimestamp(as_of);
  if (!seen.ok() || as_of.size() != 10) {
    return InvalidInput("'" + as_of + "' is not a date (YYYY-MM-DD)");
  }
  const int64_t days_late = (*seen - *due) / 86400;
  if (days_late <= 0) return size_t{0};
  if (days_late <= 30) return size_t{1};
  if (days_late <= 60) return size_t{2};
  if (days_late <= 90) return size_t{3};
  return size_t{4};
}

}  // namespace rebill::report
