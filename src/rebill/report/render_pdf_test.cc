// PDF statements read back with a real PDF reader: poppler's pdftotext for the text, pdffonts
// for the embedded fonts. The tests skip, saying why, only where poppler-utils is not installed
// (scripts/install-deps installs it).
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rebill/report/render.h"
#include "testing/status_matchers.h"

namespace rebill::report {
namespace {

namespace fs = std::filesystem;

bool HaveTool(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

std::string Capture(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  ::pclose(pipe);
  return out;
}

// Writes `pdf` to a temporary file and returns its path.
std::string WriteTemp(const std::string& pdf, const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("rebill-pdf-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path path = dir / name;
  std::ofstream(path, std::ios::binary) << pdf;
  return path.string();
}

Statement FinalStatement(const std::string& language, const std::string& customer_name) {
  Statement s;
  s.customer = "acme";
  s.customer_name = customer_name;
  s.bill_to.name = customer_name;
  s.bill_to.address = {"1 Main St"};
  s.issuer = {"Northwind Cloud GmbH", {"Hafenstr. 1", "20457 Hamburg"}, "DE123456789"};
  s.period = BillingPeriod::Parse("2026-10").value();
  s.currency = "USD";
  s.language = language;
  s.status = StatementStatus::kFinal;
  s.invoice_number = "NW-2026-0042";
  s.lines.push_back({StatementLineKind::kCharge, "AmazonEC2", "Amazon Elastic Compute Cloud",
                     D("1500"), D("1234.567"), D("1234.57"), "std: discount 3%"});
  s.lines.push_back({StatementLineKind::kFee, "Managed services", "Managed services", D("0"),
                     D("250"), D("250.00"), "fee 8%, minimum 250"});
  s.subtotal = D("1234.57");
  s.fees = D("250.00");
  s.total = D("1484.57");
  s.daily = {{1, D("600.00")}, {2, D("634.57")}};
  s.policy_note = "Savings Plan discounts are shared pro-rata.";
  return s;
}

class PdfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveTool("pdftotext") || !HaveTool("pdffonts") || !HaveTool("pdfinfo")) {
      GTEST_SKIP() << "pdftotext/pdffonts (Debian poppler-utils) are not installed; run "
                      "scripts/install-deps";
    }
  }
  void TearDown() override {
    if (!path_.empty()) std::filesystem::remove(path_);
  }
  // The text of the PDF, as a reader extracts it.
  std::string TextOf(const Statement& s, const std::string& name) {
    Result<std::string> pdf = RenderPdf(s);
    EXPECT_TRUE(pdf.ok()) << pdf.status().message();
    if (!pdf.ok()) return "";
    EXPECT_EQ(pdf->rfind("%PDF-", 0), 0u);
    path_ = WriteTemp(*pdf, name);
    return Capture("pdftotext -enc UTF-8 " + path_ + " -");
  }
  std::string path_;
};

TEST_F(PdfTest, EnglishInvoiceHasCustomerNumberAndTotal) {
  const std::string text = TextOf(FinalStatement("en", "Acme Robotics"), "en.pdf");
  EXPECT_NE(text.find("Acme Robotics"), std::string::npos) << text;
  EXPECT_NE(text.find("NW-2026-0042"), std::string::npos) << text;
  EXPECT_NE(text.find("$1,484.57"), std::string::npos) << text;
  EXPECT_NE(text.find("Invoice"), std::string::npos) << text;
  EXPECT_NE(text.find("October 2026"), std::string::npos) << text;
  EXPECT_NE(text.find("Page 1 of 1"), std::string::npos) << text;
  EXPECT_EQ(text.find("DRAFT"), std::string::npos) << text;
}

TEST_F(PdfTest, GermanInvoiceFormatsTheTotalTheGermanWay) {
  const std::string text = TextOf(FinalStatement("de", "Müller & Söhne GmbH"), "de.pdf");
  EXPECT_NE(text.find("Müller & Söhne GmbH"), std::string::npos) << text;
  EXPECT_NE(text.find("NW-2026-0042"), std::string::npos) << text;
  EXPECT_NE(text.find("1.484,57 $"), std::string::npos) << text;
  EXPECT_NE(text.find("Rechnung"), std::string::npos) << text;
  EXPECT_NE(text.find("Oktober 2026"), std::string::npos) << text;
}

TEST_F(PdfTest, ChineseInvoiceRendersCjkWithTheFontEmbedded) {
  const std::string text = TextOf(FinalStatement("zh-CN", "北京云科技有限公司"), "zh.pdf");
  EXPECT_NE(text.find("北京云科技有限公司"), std::string::npos) << text;
  EXPECT_NE(text.find("NW-2026-0042"), std::string::npos) << text;
  EXPECT_NE(text.find("US$1,484.57"), std::string::npos) << text;
  EXPECT_NE(text.find("发票"), std::string::npos) << text;
  EXPECT_NE(text.find("2026年10月"), std::string::npos) << text;
  // pdffonts: one row per font; column "emb" says whether it is embedded.
  const std::string fonts = Capture("pdffonts " + path_);
  EXPECT_NE(fonts.find("CJK"), std::string::npos) << fonts;
  std::istringstream rows(fonts);
  std::string row;
  int font_rows = 0;
  while (std::getline(rows, row)) {
    if (row.rfind("name", 0) == 0 || row.rfind("----", 0) == 0 || row.empty()) continue;
    ++font_rows;
    // Columns: name type encoding emb sub uni object ID; emb is "yes" for embedded fonts.
    EXPECT_NE(row.find(" yes "), std::string::npos) << "not embedded: " << row;
  }
  EXPECT_GE(font_rows, 2) << fonts;
}

TEST_F(PdfTest, DraftsSayDraft) {
  Statement s = FinalStatement("en", "Acme Robotics");
  s.status = StatementStatus::kDraft;
  s.invoice_number.clear();
  const std::string text = TextOf(s, "draft.pdf");
  EXPECT_NE(text.find("DRAFT"), std::string::npos) << text;
  EXPECT_EQ(text.find("NW-2026"), std::string::npos) << text;
}

TEST_F(PdfTest, LongStatementsBreakPagesAndRepeatTheTableHeader) {
  Statement s = FinalStatement("en", "Acme Robotics");
  for (int i = 0; i < 80; ++i) {
    s.lines.push_back({StatementLineKind::kCharge, "Service" + std::to_string(i),
                       "Line number " + std::to_string(i), D("1"), D("1"), D("1.00"), "std"});
  }
  const std::string text = TextOf(s, "long.pdf");
  const std::string pages = Capture("pdfinfo " + path_ + " | grep Pages");
  int count = std::stoi(pages.substr(pages.find_first_of("0123456789")));
  EXPECT_GE(count, 3) << pages;
  EXPECT_NE(text.find("Page " + std::to_string(count) + " of " + std::to_string(count)),
            std::string::npos);
  // The table header appears on every page that continues the table.
  size_t headers = 0;
  for (size_t at = text.find("List price"); at != std::string::npos;
       at = text.find("List price", at + 1)) {
    ++headers;
  }
  EXPECT_GE(headers, 2u) << text;
  EXPECT_NE(text.find("Line number 79"), std::string::npos);
}

TEST(PdfRenderTest, TheSameStatementRendersToTheSameBytes) {
  const Statement s = FinalStatement("zh-CN", "北京云科技有限公司");
  ASSERT_OK_AND_ASSIGN(std::string first, RenderPdf(s));
  ASSERT_OK_AND_ASSIGN(std::string second, RenderPdf(s));
  EXPECT_EQ(first, second);
  // The creation date is the day after the period, not the time of rendering.
  EXPECT_NE(first.find("/CreationDate (20261101000000Z)"), std::string::npos);
}

TEST(PdfRenderTest, LetterPaperIsLetterSized) {
  Statement s = FinalStatement("en", "Acme");
  s.branding.paper = "Letter";
  ASSERT_OK_AND_ASSIGN(std::string letter, RenderPdf(s));
  EXPECT_NE(letter.find("/MediaBox [ 0 0 612 792 ]"), std::string::npos);
  s.branding.paper = "A4";
  ASSERT_OK_AND_ASSIGN(std::string a4, RenderPdf(s));
  EXPECT_NE(a4.find("/MediaBox [ 0 0 595.275591 841.889764 ]"), std::string::npos);
}

TEST(PdfRenderTest, AnUnreadableLogoIsAnError) {
  RenderAssets assets;
  assets.logo_png = "not a png";
  Statement s = FinalStatement("en", "Acme");
  s.branding.logo = "logo.png";
  EXPECT_STATUS(RenderPdf(s, assets), StatusCode::kInvalidInput, "logo.png");
}

}  // namespace
}  // namespace rebill::report
