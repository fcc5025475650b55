#include "rebill/report/locale.h"

#include <gtest/gtest.h>

#include "rebill/report/presentation.h"
#include "rebill/report/render.h"
#include "rebill/report/statement_builder.h"
#include "testing/status_matchers.h"

namespace rebill::report {
namespace {

TEST(LocaleTest, EveryLocaleFileIsCompiledIn) {
  EXPECT_EQ(LocaleTags(), (std::vector<std::string>{"de", "en", "zh-CN"}));
  EXPECT_EQ(FindLocale("fr"), nullptr);
  EXPECT_EQ(LocaleFor("fr").tag(), "en");
}

TEST(LocaleTest, EveryLocaleTranslatesEveryEnglishLabel) {
  const Locale& en = LocaleFor("en");
  for (const std::string& tag : LocaleTags()) {
    const Locale& locale = LocaleFor(tag);
    for (const auto& [key, text] : en.labels()) {
      EXPECT_TRUE(locale.labels().count(key)) << tag << " lacks label " << key;
      EXPECT_FALSE(locale.Label(key).empty()) << tag << " " << key;
    }
  }
}

TEST(LocaleTest, NumbersGroupAndUseTheLocalesDecimalPoint) {
  EXPECT_EQ(LocaleFor("en").Number(D("1234567.891"), 2), "1,234,567.891");
  EXPECT_EQ(LocaleFor("en").Number(D("1234.5"), 2), "1,234.50");
  EXPECT_EQ(LocaleFor("de").Number(D("1234.5"), 2), "1.234,50");
  EXPECT_EQ(LocaleFor("de").Number(D("-123.4"), 2), "-123,40");
  EXPECT_EQ(LocaleFor("de").Number(D("-123456"), 0), "-123.456");
  EXPECT_EQ(LocaleFor("en").Number(D("999"), 0), "999");
}

TEST(LocaleTest, MoneyHasTheCurrencysMinorUnitsAndTheLocalesSymbol) {
  EXPECT_EQ(LocaleFor("en").Money(D("1234.5"), "USD"), "$1,234.50");
  EXPECT_EQ(LocaleFor("en").Money(D("-2.5"), "USD"), "-$2.50");
  EXPECT_EQ(LocaleFor("de").Money(D("1234.5"), "EUR"), "1.234,50 €");
  EXPECT_EQ(LocaleFor("de").Money(D("-2.5"), "USD"), "-2,50 $");
  EXPECT_EQ(LocaleFor("zh-CN").Money(D("1234.5"), "USD"), "US$1,234.50");
  EXPECT_EQ(LocaleFor("zh-CN").Money(D("1234.5"), "CNY"), "¥1,234.50");
  // ISO 4217: the yen has no minor unit, the Kuwaiti dinar three; KWD has no symbol here.
  EXPECT_EQ(LocaleFor("en").Money(D("1623"), "JPY"), "¥1,623");
  EXPECT_EQ(LocaleFor("en").Money(D("1.5"), "KWD"), "KWD1.500");
  // German has no symbol for the Australian dollar: the English one beats the bare code.
  EXPECT_EQ(LocaleFor("de").Money(D("10"), "AUD"), "10,00 A$");
}

TEST(LocaleTest, PeriodsAndDatesReadNaturally) {
  const BillingPeriod october = BillingPeriod::Parse("2026-10").value();
  EXPECT_EQ(LocaleFor("en").Period(october), "October 2026");
  EXPECT_EQ(LocaleFor("de").Period(october), "Oktober 2026");
  EXPECT_EQ(LocaleFor("zh-CN").Period(october), "2026年10月");
  EXPECT_EQ(LocaleFor("en").Date(october, 31), "October 31, 2026");
  EXPECT_EQ(LocaleFor("de").Date(october, 5), "5. Oktober 2026");
  EXPECT_EQ(LocaleFor("zh-CN").Date(october, 5), "2026年10月5日");
}

TEST(LocaleTest, LabelsFillTheirPlaceholders) {
  EXPECT_EQ(LocaleFor("de").Label("page", {{"page", "2"}, {"pages", "3"}}), "Seite 2 von 3");
  EXPECT_EQ(Substitute("{a} and {b} {unknown}", {{"a", "x"}, {"b", "y"}}), "x and y {unknown}");
  EXPECT_EQ(Substitute("no braces", {}), "no braces");
  EXPECT_EQ(LocaleFor("en").Label("no_such_label"), "no_such_label");
  EXPECT_EQ(LocaleFor("de").LabelOr("kind_tax", "Tax"), "Steuer");
  EXPECT_EQ(LocaleFor("de").LabelOr("kind_adjustment", "Adjustment"),
            "Korrekturen früherer Zeiträume");
  EXPECT_EQ(LocaleFor("de").LabelOr("kind_no_such_kind", "No such kind"), "No such kind");
}

Statement GermanStatement() {
  Statement s;
  s.customer = "muster";
  s.customer_name = "Muster AG";
  s.period = BillingPeriod::Parse("2026-10").value();
  s.currency = "EUR";
  s.language = "de";
  s.issuer.name = "Northwind Cloud GmbH";
  s.lines.push_back({StatementLineKind::kCharge, "AmazonEC2", "Amazon Elastic Compute Cloud",
                     D("1500"), D("1234.567"), D("1234.57"), "std: Rabatt"});
  s.lines.push_back(
      {StatementLineKind::kTax, "USt.", "USt. 19%", D("0"), D("234.5683"), D("234.57"), "tax 19%"});
  s.lines[0].commitment_benefit = D("299.996");  // shown rounded: 300.00
  s.subtotal = D("1234.57");
  s.tax = D("234.57");
  s.total = D("1469.14");
  return s;
}

TEST(PresentationTest, ShowsListPriceDiscountsAndTotalsInTheCustomersLanguage) {
  const Presentation p = Present(GermanStatement());
  EXPECT_EQ(p.title, "Abrechnung");
  EXPECT_EQ(p.watermark, "ENTWURF");
  ASSERT_EQ(p.lines.size(), 2u);
  EXPECT_EQ(p.lines[0].section, "Leistungen");
  EXPECT_EQ(p.lines[0].list_price, "1.500,00 €");
  EXPECT_EQ(p.lines[0].discount, "-265,43 €");
  EXPECT_EQ(p.lines[1].section, "Steuer");
  EXPECT_EQ(p.lines[1].list_price, "");  // only charges have a list price
  // Usage at list price - commitment benefit + price book = subtotal; the total due last.
  ASSERT_EQ(p.totals.size(), 8u);
  EXPECT_EQ(p.totals[0].amount, "1.500,00 €");
  EXPECT_EQ(p.totals[1].label, "Vorteil aus Zusagen und AWS-Rabatten");
  EXPECT_EQ(p.totals[1].amount, "-300,00 €");
  EXPECT_EQ(p.totals[2].amount, "34,57 €");
  EXPECT_EQ(p.totals[3].amount, "1.234,57 €");
  EXPECT_EQ(p.totals.back().label, "Gesamtbetrag EUR");
  EXPECT_EQ(p.totals.back().amount, "1.469,14 €");
  EXPECT_TRUE(p.totals.back().grand);
}

TEST(PresentationTest, FinalStatementsAreInvoicesWithTheirNumber) {
  Statement s = GermanStatement();
  s.status = StatementStatus::kFinal;
  s.invoice_number = "NW-2026-0042";
  const Presentation p = Present(s);
  EXPECT_EQ(p.title, "Rechnung");
  EXPECT_EQ(p.watermark, "");
  ASSERT_FALSE(p.meta.empty());
  EXPECT_EQ(p.meta.front(),
            std::make_pair(std::string("Rechnungsnummer"), std::string("NW-2026-0042")));
  s.status = StatementStatus::kVoid;
  EXPECT_EQ(Present(s).watermark, "STORNIERT");
}

TEST(PresentationTest, DailyChartHasEveryDayOfTheMonthScaledToTheLargest) {
  Statement s = GermanStatement();
  s.daily = {{2, D("50.00")}, {31, D("200.00")}, {15, D("-3.00")}};
  const Presentation p = Present(s);
  ASSERT_EQ(p.by_day.size(), 31u);  // October
  EXPECT_EQ(p.by_day[1].permille, 250);
  EXPECT_EQ(p.by_day[30].permille, 1000);
  EXPECT_EQ(p.by_day[14].permille, 0);  // a net credit draws no bar
  EXPECT_EQ(p.by_day[0].permille, 0);
  EXPECT_EQ(p.by_day[30].value, "200,00 €");
}

TEST(BuildStatementsTest, HeaderSettingsAndDailyAmountsReachTheStatement) {
  PricedLines priced;
  auto line = [](const char* account, const char* service, const char* amount, int day) {
    PricedLine p;
    p.customer = "acme";
    p.usage_account = account;
    p.service = service;
    p.amount = D(amount);
    p.currency = "USD";
    p.rule = "std";
    p.usage_start = BillingPeriod::Parse("2023-11").value().start() + (day - 1) * 86400 + 3600;
    return p;
  };
  priced.lines.push_back(line("111111111111", "AmazonEC2", "1.004", 1));
  // Covered by a Savings Plan: 1.50 on demand, 0.95 after the benefit.
  priced.lines.back().list_cost = D("1.50");
  priced.lines.back().cost_basis = D("0.95");
  priced.lines.push_back(line("222222222222", "AmazonEC2", "2.001", 1));
  priced.lines.push_back(line("111111111111", "AmazonS3", "3.5", 30));
  StatementSettings settings;
  settings.reseller = "Northwind";
  settings.issuer = {"Northwind", {"Hafenstr. 1"}, "DE1"};
  settings.branding.paper = "Letter";
  CustomerInfo acme;
  acme.id = "acme";
  acme.name = "Acme";
  acme.currency = "USD";
  acme.bill_to = {"Acme Inc.", {"1 Main St"}, "US-9"};
  acme.language = "zh-CN";
  acme.lines_by = "account";
  settings.customers.push_back(acme);
  RunContext ctx;
  ctx.period = BillingPeriod::Parse("2023-11").value();
  ASSERT_OK_AND_ASSIGN(StatementSet set, BuildStatements(priced, settings, ctx));
  const Statement& s = set.statements[0];
  EXPECT_EQ(s.issuer, settings.issuer);
  EXPECT_EQ(s.bill_to, acme.bill_to);
  EXPECT_EQ(s.language, "zh-CN");
  EXPECT_EQ(s.branding.paper, "Letter");
  // By account: EC2 of each account is its own line, accounts in order.
  ASSERT_EQ(s.lines.size(), 3u);
  EXPECT_EQ(s.lines[0].account, "111111111111");
  EXPECT_EQ(s.lines[0].service, "AmazonEC2");
  EXPECT_EQ(s.lines[1].account, "111111111111");
  EXPECT_EQ(s.lines[1].service, "AmazonS3");
  EXPECT_EQ(s.lines[2].account, "222222222222");
  EXPECT_EQ(s.lines[0].commitment_benefit, D("0.55"));
  EXPECT_EQ(s.lines[2].commitment_benefit, D("0"));
  // Day 1: 1.004 + 2.001 = 3.005 rounded once to 3.01; day 30: 3.50.
  EXPECT_EQ(s.daily, (std::vector<DailyAmount>{{1, D("3.01")}, {30, D("3.50")}}));
  // Round trip through the stored form.
  ASSERT_OK_AND_ASSIGN(StatementSet back, ParseStatementsJson(RenderJson(set)));
  EXPECT_EQ(back, set);
}

TEST(RenderHtmlTest, GermanStatementSpeaksGermanAndEmbedsTheLogo) {
  Statement s = GermanStatement();
  s.daily = {{2, D("50.00")}};
  s.branding.accent = "#aa3300";
  RenderAssets assets;
  assets.logo_png = std::string("\x89PNG\r\n\x1a\n", 8) + "xyz";
  const std::string html = RenderHtml(s, assets);
  EXPECT_NE(html.find("<html lang=\"de\">"), std::string::npos);
  EXPECT_NE(html.find("Gesamtbetrag EUR"), std::string::npos);
  EXPECT_NE(html.find("1.469,14 €"), std::string::npos);
  EXPECT_NE(html.find("Oktober 2026"), std::string::npos);
  EXPECT_NE(html.find("Kosten nach Tag"), std::string::npos);
  EXPECT_NE(html.find("#aa3300"), std::string::npos);
  EXPECT_NE(html.find("src=\"data:image/png;base64,iVBORw0KGgp4eXo=\""), std::string::npos);
  // The only source is the inline logo.
  EXPECT_EQ(html.find("src="), html.rfind("src="));
  EXPECT_EQ(html.find("http"), std::string::npos);
}

}  // namespace
}  // namespace rebill::report
