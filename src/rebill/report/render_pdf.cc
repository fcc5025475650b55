// PDF statements drawn with cairo, text laid out by pango: real text (selectable, searchable),
// fonts found through fontconfig and embedded as subsets by cairo. The document is laid out
// twice: once to count the pages for "Page n of m", once to draw.
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string_view>

#include "rebill/core/shared_library.h"
#include "rebill/report/presentation.h"
#include "rebill/report/render.h"

namespace rebill::report {
namespace {

// cairo, pango and GObject, opened when the first PDF is drawn (core/shared_library.h).
// libpangocairo depends on the other three, so its handle finds every function.
#define REBILL_PDF_FUNCTIONS(X)                 \
  X(cairo_create)                               \
  X(cairo_destroy)                              \
  X(cairo_fill)                                 \
  X(cairo_font_options_create)                  \
  X(cairo_font_options_destroy)                 \
  X(cairo_font_options_set_hint_metrics)        \
  X(cairo_font_options_set_hint_style)          \
  X(cairo_image_surface_create_from_png_stream) \
  X(cairo_image_surface_get_height)             \
  X(cairo_image_surface_get_width)              \
  X(cairo_line_to)                              \
  X(cairo_move_to)                              \
  X(cairo_paint)                                \
  X(cairo_pdf_surface_create_for_stream)        \
  X(cairo_pdf_surface_set_metadata)             \
  X(cairo_rectangle)                            \
  X(cairo_restore)                              \
  X(cairo_rotate)                               \
  X(cairo_save)                                 \
  X(cairo_scale)                                \
  X(cairo_set_line_width)                       \
  X(cairo_set_source_rgb)                       \
  X(cairo_set_source_surface)                   \
  X(cairo_show_page)                            \
  X(cairo_status_to_string)                     \
  X(cairo_stroke)                               \
  X(cairo_surface_destroy)                      \
  X(cairo_surface_finish)                       \
  X(cairo_surface_status)                       \
  X(cairo_translate)                            \
  X(g_object_unref)                             \
  X(pango_cairo_context_set_font_options)       \
  X(pango_cairo_create_layout)                  \
  X(pango_cairo_show_layout)                    \
  X(pango_cairo_update_layout)                  \
  X(pango_font_description_free)                \
  X(pango_font_description_from_string)         \
  X(pango_font_description_set_absolute_size)   \
  X(pango_font_description_set_weight)          \
  X(pango_layout_context_changed)               \
  X(pango_layout_get_context)                   \
  X(pango_layout_get_size)                      \
  X(pango_layout_set_alignment)                 \
  X(pango_layout_set_font_description)          \
  X(pango_layout_set_text)                      \
  X(pango_layout_set_width)                     \
  X(pango_layout_set_wrap)

REBILL_FUNCTION_TABLE(PdfLibrary, REBILL_PDF_FUNCTIONS);

Result<const PdfLibrary*> LoadPdfLibrary() {
  return LoadFunctionsOnce<PdfLibrary>("libpangocairo-1.0.so.0", "libpangocairo-1.0-0",
                                       "PDF statements", &PdfLibrary::FindAll);
}

// Only called once RenderPdf has loaded the library.
const PdfLibrary& Pdf() { return **LoadPdfLibrary(); }

constexpr double kPointsPerMm = 72.0 / 25.4;
constexpr double kMargin = 48;
constexpr double kFooter = 28;  // space kept for the page footer

struct Colour {
  double r = 0, g = 0, b = 0;
};

Colour ParseColour(const std::string& hex) {
  Colour c{0.169, 0.349, 0.765};  // the default accent, #2b59c3
  if (hex.size() != 7 || hex[0] != '#') return c;
  auto channel = [&](size_t at) {
    return static_cast<double>(std::stoi(hex.substr(at, 2), nullptr, 16)) / 255.0;
  };
  try {
    return {channel(1), channel(3), channel(5)};
  } catch (const std::exception&) {
    return c;
  }
}

constexpr Colour kInk{0.114, 0.137, 0.188};
constexpr Colour kMuted{0.353, 0.384, 0.459};
constexpr Colour kRuleLine{0.788, 0.808, 0.847};

struct Deleter {
  void operator()(cairo_surface_t* s) const { Pdf().cairo_surface_destroy(s); }
  void operator()(cairo_t* c) const { Pdf().cairo_destroy(c); }
  void operator()(PangoLayout* l) const { Pdf().g_object_unref(l); }
  void operator()(PangoFontDescription* f) const { Pdf().pango_font_description_free(f); }
};
template <typename T>
using Owned = std::unique_ptr<T, Deleter>;

cairo_status_t AppendTo(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

cairo_status_t Discard(void*, const unsigned char*, unsigned int) { return CAIRO_STATUS_SUCCESS; }

struct PngReader {
  std::string_view bytes;
  size_t at = 0;
  static cairo_status_t Read(void* closure, unsigned char* data, unsigned int length) {
    auto* self = static_cast<PngReader*>(closure);
    if (self->bytes.size() - self->at < length) return CAIRO_STATUS_READ_ERROR;
    std::copy_n(self->bytes.data() + self->at, length, data);
    self->at += length;
    return CAIRO_STATUS_SUCCESS;
  }
};

enum class Align { kLeft, kRight, kCenter };

struct TextStyle {
  double size = 9;
  bool bold = false;
  Colour colour = kInk;
  Align align = Align::kLeft;
};

// Draws one statement page by page; with `total_pages` 0 it only counts pages.
class Painter {
 public:
  Painter(cairo_t* cr, const Statement& s, const Presentation& p, cairo_surface_t* logo,
          double width, double height, int total_pages)
      : cr_(cr),
        s_(s),
        p_(p),
        logo_(logo),
        width_(width),
        height_(height),
        total_pages_(total_pages),
        accent_(ParseColour(s.branding.accent)),
        layout_(Pdf().pango_cairo_create_layout(cr)) {
    // Print metrics: unhinted, so text measures the same at every size and rotation.
    cairo_font_options_t* options = Pdf().cairo_font_options_create();
    Pdf().cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    Pdf().cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    Pdf().pango_cairo_context_set_font_options(Pdf().pango_layout_get_context(layout_.get()),
                                               options);
    Pdf().cairo_font_options_destroy(options);
    Pdf().pango_layout_context_changed(layout_.get());
  }

  int Paint() {
    StartPage();
    Header();
    Table();
    Totals();
    Charts();
    Notes();
    FinishPage();
    return page_;
  }

 private:
  double ContentWidth() const { return width_ - 2 * kMargin; }
  double Bottom() const { return height_ - kMargin - kFooter; }

  // Lay out `text` in a box `width` wide; returns its height. Draws it at (x, y) if `draw`.
  double Text(double x, double y, double width, const std::string& text, const TextStyle& style,
              bool draw = true) {
    if (text.empty()) return 0;
    Owned<PangoFontDescription> font(
        Pdf().pango_font_description_from_string(p_.locale->font().c_str()));
    Pdf().pango_font_description_set_absolute_size(font.get(), style.size * PANGO_SCALE);
    Pdf().pango_font_description_set_weight(font.get(),
                                            style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    PangoLayout* layout = layout_.get();
    Pdf().pango_layout_set_font_description(layout, font.get());
    Pdf().pango_layout_set_width(layout, static_cast<int>(width * PANGO_SCALE));
    Pdf().pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    Pdf().pango_layout_set_alignment(layout, style.align == Align::kRight    ? PANGO_ALIGN_RIGHT
                                             : style.align == Align::kCenter ? PANGO_ALIGN_CENTER
                                                                             : PANGO_ALIGN_LEFT);
    Pdf().pango_layout_set_text(layout, text.c_str(), static_cast<int>(text.size()));
    int w = 0, h = 0;
    Pdf().pango_layout_get_size(layout, &w, &h);
    if (draw) {
      Pdf().cairo_set_source_rgb(cr_, style.colour.r, style.colour.g, style.colour.b);
      Pdf().cairo_move_to(cr_, x, y);
      Pdf().pango_cairo_update_layout(cr_, layout);  // the watermark draws rotated
      Pdf().pango_cairo_show_layout(cr_, layout);
    }
    return static_cast<double>(h) / PANGO_SCALE;
  }

  void Line(double x1, double y1, double x2, double y2, Colour c, double width) {
    Pdf().cairo_set_source_rgb(cr_, c.r, c.g, c.b);
    Pdf().cairo_set_line_width(cr_, width);
    Pdf().cairo_move_to(cr_, x1, y1);
    Pdf().cairo_line_to(cr_, x2, y2);
    Pdf().cairo_stroke(cr_);
  }

  void Box(double x, double y, double w, double h, Colour c) {
    Pdf().cairo_set_source_rgb(cr_, c.r, c.g, c.b);
    Pdf().cairo_rectangle(cr_, x, y, w, h);
    Pdf().cairo_fill(cr_);
  }

  void StartPage() {
    ++page_;
    y_ = kMargin;
    Watermark();
  }

  void FinishPage() {
    const std::string footer =
        p_.locale->Label("page", {{"page", std::to_string(page_)},
                                  {"pages", std::to_string(std::max(total_pages_, page_))}});
    const double y = height_ - kMargin - 10;
    Line(kMargin, y - 6, width_ - kMargin, y - 6, kRuleLine, 0.5);
    std::string left = s_.issuer.name + " · " + p_.title;
    if (!s_.invoice_number.empty()) left += " " + s_.invoice_number;
    Text(kMargin, y, ContentWidth() * 0.7, left, {7.5, false, kMuted, Align::kLeft});
    Text(kMargin, y, ContentWidth(), footer, {7.5, false, kMuted, Align::kRight});
    Pdf().cairo_show_page(cr_);
  }

  void NewPage() {
    FinishPage();
    StartPage();
    // A continuation page names what it continues.
    std::string heading =
        p_.title + " · " + p_.bill_to_lines.front() + " · " + p_.locale->Period(s_.period);
    y_ += Text(kMargin, y_, ContentWidth(), heading, {9, true, accent_, Align::kLeft}) + 10;
  }

  // Room for `height` more points on this page, else a new page.
  bool Ensure(double height) {
    if (y_ + height <= Bottom()) return false;
    NewPage();
    return true;
  }

  void Watermark() {
    if (p_.watermark.empty()) return;
    Pdf().cairo_save(cr_);
    Pdf().cairo_translate(cr_, width_ / 2, height_ / 2);
    Pdf().cairo_rotate(cr_, -24 * M_PI / 180);
    TextStyle style{96, true, {0.98, 0.93, 0.86}, Align::kCenter};
    double h = Text(0, 0, width_, p_.watermark, style, false);
    Text(-width_ / 2, -h / 2, width_, p_.watermark, style);
    Pdf().cairo_restore(cr_);
  }

  void Header() {
    const double w = ContentWidth();
    const double left_width = w * 0.42;
    double left = y_;
    if (logo_ != nullptr) {
      const double max_h = 48, max_w = 180;
      double lw = Pdf().cairo_image_surface_get_width(logo_);
      double lh = Pdf().cairo_image_surface_get_height(logo_);
      double scale = std::min(max_h / lh, max_w / lw);
      Pdf().cairo_save(cr_);
      Pdf().cairo_translate(cr_, kMargin, left);
      Pdf().cairo_scale(cr_, scale, scale);
      Pdf().cairo_set_source_surface(cr_, logo_, 0, 0);
      Pdf().cairo_paint(cr_);
      Pdf().cairo_restore(cr_);
      left += lh * scale + 8;
    }
    for (size_t i = 0; i < p_.issuer_lines.size(); ++i) {
      left += Text(kMargin, left, left_width, p_.issuer_lines[i],
                   {i == 0 ? 10.5 : 8.5, i == 0, i == 0 ? kInk : kMuted, Align::kLeft});
    }
    // Title and the statement's facts on the right.
    double right = y_;
    const double rx = kMargin + left_width;
    right += Text(rx, right, w - left_width, p_.title, {20, true, accent_, Align::kRight}) + 4;
    if (!p_.watermark.empty()) {
      right += Text(rx, right, w - left_width, p_.watermark,
                    {10, true, {0.541, 0.325, 0.0}, Align::kRight}) +
               4;
    }
    for (size_t i = 0; i < p_.meta.size(); ++i) {
      const auto& [label, value] = p_.meta[i];
      double lh =
          Text(rx, right, (w - left_width) * 0.4, label, {8.5, false, kMuted, Align::kLeft});
      double vh = Text(rx + (w - left_width) * 0.4, right, (w - left_width) * 0.6, value,
                       {8.5, i == 0, kInk, Align::kRight});
      right += std::max(lh, vh) + 1;
    }
    y_ = std::max(left, right) + 8;
    Box(kMargin, y_, w, 2.5, accent_);
    y_ += 14;
    y_ += Text(kMargin, y_, w, p_.bill_to_label, {7.5, true, kMuted, Align::kLeft}) + 2;
    for (size_t i = 0; i < p_.bill_to_lines.size(); ++i) {
      y_ += Text(kMargin, y_, w / 2, p_.bill_to_lines[i],
                 {i == 0 ? 10 : 8.5, i == 0, kInk, Align::kLeft});
    }
    y_ += 16;
  }

  std::vector<double> ColumnWidths() const {
    const double w = ContentWidth();
    if (p_.by_account) return {w * 0.15, w * 0.18, w * 0.31, w * 0.12, w * 0.12, w * 0.12};
    return {w * 0.22, w * 0.42, w * 0.12, w * 0.12, w * 0.12};
  }

  void TableHeader() {
    const std::vector<std::string> columns = LineColumns(p_);
    const std::vector<double> widths = ColumnWidths();
    double x = kMargin, h = 0;
    for (size_t i = 0; i < columns.size(); ++i) {
      bool amount = i + 3 >= columns.size();
      h = std::max(h, Text(x + 2, y_, widths[i] - 4, columns[i],
                           {8, true, kMuted, amount ? Align::kRight : Align::kLeft}));
      x += widths[i];
    }
    y_ += h + 3;
    Line(kMargin, y_, kMargin + ContentWidth(), y_, kRuleLine, 0.8);
    y_ += 3;
  }

  void Table() {
    Ensure(60);
    TableHeader();
    const std::vector<double> widths = ColumnWidths();
    if (p_.lines.empty()) {
      y_ +=
          Text(kMargin + 2, y_, ContentWidth(), p_.no_lines, {9, false, kMuted, Align::kLeft}) + 6;
    }
    for (const PresentedLine& line : p_.lines) {
      const TextStyle cell{8.5, false, kInk, Align::kLeft};
      const TextStyle number{8.5, false, kInk, Align::kRight};
      const TextStyle rule{7, false, kMuted, Align::kLeft};
      std::vector<std::string> texts;
      if (p_.by_account) texts.push_back(line.account);
      texts.push_back(line.service);
      const size_t description = texts.size();
      texts.push_back(line.description);
      texts.push_back(line.list_price);
      texts.push_back(line.discount);
      texts.push_back(line.amount);
      // Measure the row first so that it moves whole to the next page.
      double height = 0;
      for (size_t i = 0; i < texts.size(); ++i) {
        double h =
            Text(0, 0, widths[i] - 4, texts[i], i + 3 >= texts.size() ? number : cell, false);
        if (i == description) h += Text(0, 0, widths[i] - 4, line.rule, rule, false) + 1;
        height = std::max(height, h);
      }
      double section = 0;
      if (!line.section.empty()) {
        section =
            Text(0, 0, ContentWidth(), line.section, {9, true, accent_, Align::kLeft}, false) + 8;
      }
      if (Ensure(section + height + 6)) TableHeader();
      if (!line.section.empty()) {
        y_ += 4;
        y_ +=
            Text(kMargin + 2, y_, ContentWidth(), line.section, {9, true, accent_, Align::kLeft}) +
            4;
      }
      double x = kMargin;
      for (size_t i = 0; i < texts.size(); ++i) {
        double h =
            Text(x + 2, y_ + 3, widths[i] - 4, texts[i], i + 3 >= texts.size() ? number : cell);
        if (i == description) Text(x + 2, y_ + 3 + h + 1, widths[i] - 4, line.rule, rule);
        x += widths[i];
      }
      y_ += height + 6;
      Line(kMargin, y_, kMargin + ContentWidth(), y_, {0.925, 0.933, 0.949}, 0.5);
    }
    y_ += 10;
  }

  void Totals() {
    const double box = 310;
    const double x = kMargin + ContentWidth() - box;
    Ensure(static_cast<double>(p_.totals.size()) * 16 + 12);
    for (const PresentedTotal& t : p_.totals) {
      if (t.grand) {
        y_ += 3;
        Line(x, y_, x + box, y_, kInk, 1.5);
        y_ += 3;
      }
      TextStyle label{t.grand ? 11.0 : 9.0, t.grand, kInk, Align::kLeft};
      TextStyle amount{t.grand ? 11.0 : 9.0, t.grand, kInk, Align::kRight};
      double h = Text(x, y_, box * 0.72, t.label, label);
      h = std::max(h, Text(x + box * 0.72, y_, box * 0.28, t.amount, amount));
      y_ += h + 2;
    }
    y_ += 14;
  }

  void Charts() {
    const double w = ContentWidth();
    if (!p_.by_service.empty()) {
      const double row = 15;
      Ensure(24 + row * static_cast<double>(p_.by_service.size()));
      y_ += Text(kMargin, y_, w, p_.by_service_title, {11, true, accent_, Align::kLeft}) + 6;
      const double label_w = w * 0.36, bar_w = w * 0.44;
      for (const ChartBar& bar : p_.by_service) {
        Text(kMargin, y_, label_w - 6, bar.label, {8, false, kInk, Align::kLeft});
        const double len = std::max(1.0, bar_w * bar.permille / 1000.0);
        Box(kMargin + label_w, y_ + 2, len, 9, accent_);
        Text(kMargin + label_w + len + 4, y_, w - label_w - len - 4, bar.value,
             {7.5, false, kMuted, Align::kLeft});
        y_ += row;
      }
      y_ += 12;
    }
    if (!p_.by_day.empty()) {
      const double chart_h = 90;
      Ensure(24 + chart_h + 16);
      y_ += Text(kMargin, y_, w, p_.by_day_title, {11, true, accent_, Align::kLeft}) + 6;
      const double step = w / static_cast<double>(p_.by_day.size());
      const double base = y_ + chart_h;
      Line(kMargin, base, kMargin + w, base, kRuleLine, 0.6);
      for (size_t i = 0; i < p_.by_day.size(); ++i) {
        const ChartBar& day = p_.by_day[i];
        const double x = kMargin + step * static_cast<double>(i);
        const double h = (chart_h - 4) * day.permille / 1000.0;
        if (day.permille > 0) Box(x + step * 0.15, base - h, step * 0.7, h, accent_);
        if (i == 0 || (i + 1) % 5 == 0) {
          Text(x - 6, base + 2, step + 12, day.label, {7, false, kMuted, Align::kCenter});
        }
      }
      y_ = base + 20;
    }
  }

  void Notes() {
    const double w = ContentWidth();
    for (const auto& [heading, text] : p_.notes) {
      std::string paragraph = heading.empty() ? text : heading + ": " + text;
      double h = Text(kMargin, y_, w, paragraph, {8, false, kMuted, Align::kLeft}, false);
      Ensure(h + 6);
      y_ += Text(kMargin, y_, w, paragraph, {8, false, kMuted, Align::kLeft}) + 6;
    }
  }

  cairo_t* cr_;
  const Statement& s_;
  const Presentation& p_;
  cairo_surface_t* logo_;
  double width_, height_;
  int total_pages_;
  Colour accent_;
  Owned<PangoLayout> layout_;
  int page_ = 0;
  double y_ = kMargin;
};

// The period's first day after its end, midnight UTC: the same for every rendering, so that a
// finalized statement renders to the same bytes.
std::string CreationDate(const Statement& s) { return FormatTimestamp(s.period.end()); }

}  // namespace

Result<std::string> RenderPdf(const Statement& s, const RenderAssets& assets) {
  REBILL_RETURN_IF_ERROR(LoadPdfLibrary().status());
  const Presentation p = Present(s);
  const bool letter = s.branding.paper == "Letter";
  const double width = letter ? 612 : 210 * kPointsPerMm;
  const double height = letter ? 792 : 297 * kPointsPerMm;

  Owned<cairo_surface_t> logo;
  if (!assets.logo_png.empty()) {
    PngReader reader{assets.logo_png};
    logo.reset(Pdf().cairo_image_surface_create_from_png_stream(&PngReader::Read, &reader));
    if (Pdf().cairo_surface_status(logo.get()) != CAIRO_STATUS_SUCCESS) {
      return InvalidInput("the logo '" + s.branding.logo + "' is not a readable PNG image");
    }
  }

  // Pass 1 counts the pages, pass 2 draws them with "Page n of m".
  int pages = 0;
  std::string pdf;
  for (int pass = 0; pass < 2; ++pass) {
    Owned<cairo_surface_t> surface(
        pass == 0 ? Pdf().cairo_pdf_surface_create_for_stream(&Discard, nullptr, width, height)
                  : Pdf().cairo_pdf_surface_create_for_stream(&AppendTo, &pdf, width, height));
    const std::string date = CreationDate(s);
    const std::string title = p.title + " " + p.locale->Period(s.period) + " — " +
                              (p.bill_to_lines.empty() ? s.customer : p.bill_to_lines.front());
    Pdf().cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
    Pdf().cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_AUTHOR,
                                         s.issuer.name.c_str());
    Pdf().cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "rebill");
    Pdf().cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE,
                                         date.c_str());
    Pdf().cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_MOD_DATE, date.c_str());
    Owned<cairo_t> cr(Pdf().cairo_create(surface.get()));
    Painter painter(cr.get(), s, p, logo.get(), width, height, pages);
    pages = painter.Paint();
    Pdf().cairo_surface_finish(surface.get());
    if (Pdf().cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
      return Internal(std::string("PDF rendering failed: ") +
                      Pdf().cairo_status_to_string(Pdf().cairo_surface_status(surface.get())));
    }
  }
  return pdf;
}

}  // namespace rebill::report

// fontconfig, pango and cairo keep their font caches for the life of the process and never free
// them; LeakSanitizer (the sanitizer builds) would report those caches as leaks of every program
// that renders a PDF. The sanitizer runtime asks for this hook; other builds never call it.
extern "C" const char* __lsan_default_suppressions();
extern "C" const char* __lsan_default_options();
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\nleak:libpango-1.0.so\nleak:libpangoft2-1.0.so\nleak:libcairo.so\n";
}
