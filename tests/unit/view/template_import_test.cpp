// {% import %}, {% from ... import %} and {% call %} at the engine level: the errors a maintainer
// meets (with the file, line and column they name), the limits that keep a hostile template
// from crashing the process, and the caching of imported files in production and their reload
// in development. Rendering itself is compared with nunjucks by tests/conformance (cases
// import-*, from-*, call-*).
#include "view/template_engine.hpp"

#include "temp_views.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using cppapp::view::EngineOptions;
using cppapp::view::TemplateEngine;
using cppapp::view::TemplateError;

using cppapp::view::testing::TempViews;

const char* const kForms =
    "{% macro field(name, value='') %}<input name=\"{{ name }}\" value=\"{{ value }}\">"
    "{% endmacro %}"
    "{% macro button(text) %}<button>{{ text }}</button>{% endmacro %}"
    "{% macro _private() %}p{% endmacro %}";

// The error a render throws; fails the test when it renders.
TemplateError render_error(const TemplateEngine& engine, const std::string& name) {
  try {
    engine.render(name, {});
  } catch (const TemplateError& e) {
    return e;
  }
  ADD_FAILURE() << name << " rendered without an error";
  return TemplateError("", 0, 0, "");
}

TEST(TemplateImport, AMissingImportedTemplateNamesItAndTheImportingLine) {
  TempViews views;
  views.write("page.html", "<p>\n{% import 'nope.html' as forms %}");
  views.write("from.html", "{% from 'nope.html' import field %}");
  TemplateEngine engine(EngineOptions{views.path(), false});
  const TemplateError e = render_error(engine, "page.html");
  EXPECT_EQ(e.file, "page.html");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 4);
  EXPECT_NE(std::string(e.what()).find("template not found: nope.html"), std::string::npos);
  EXPECT_NE(std::string(render_error(engine, "from.html").what()).find("nope.html"),
            std::string::npos);
}

TEST(TemplateImport, AnUnknownImportedNameSaysWhatTheFileExports) {
  TempViews views;
  views.write("forms.html", kForms);
  views.write("page.html", "{% from 'forms.html' import field, feild %}");
  TemplateEngine engine(EngineOptions{views.path(), false});
  const std::string message = render_error(engine, "page.html").what();
  EXPECT_NE(message.find("cannot import 'feild' from forms.html"), std::string::npos) << message;
  // The private macro is not offered: nunjucks exports no name starting with "_".
  EXPECT_NE(message.find("(it exports: field, button)"), std::string::npos) << message;
}

TEST(TemplateImport, PrivateNamesCannotBeImported) {
  TempViews views;
  views.write("forms.html", kForms);
  views.write("page.html", "{% from 'forms.html' import _private %}");
  TemplateEngine engine(EngineOptions{views.path(), false});
  const TemplateError e = render_error(engine, "page.html");
  EXPECT_EQ(e.line, 1);
  EXPECT_EQ(e.column, 29);
  EXPECT_NE(std::string(e.what()).find("names starting with an underscore cannot be imported"),
            std::string::npos);
}

TEST(TemplateImport, SyntaxErrorsNameThePlaceAndWhatIsExpected) {
  TemplateEngine engine(EngineOptions{fs::temp_directory_path(), false});
  auto message = [&](const std::string& source) {
    try {
      engine.render_string(source, {}, "t.html");
    } catch (const TemplateError& e) {
      return std::string(e.what());
    }
    return std::string("rendered");
  };
  EXPECT_EQ(message("{% import 'f.html' forms %}"),
            "t.html:1:4: parseImport: expected \"as\" keyword");
  EXPECT_EQ(message("{% from 'f.html' import %}"),
            "t.html:1:4: parseFrom: Expected at least one import name");
  EXPECT_EQ(message("{% from 'f.html' import a b %}"), "t.html:1:4: parseFrom: expected comma");
  EXPECT_EQ(message("{% import 'f.html' as f with contexts %}"),
            "t.html:1:25: parseFrom: expected context after with/without");
  EXPECT_EQ(message("{% call m %}x{% endcall %}"),
            "t.html:1:9: parseCall: expected a macro call after call, got Symbol");
  EXPECT_EQ(message("{% call m() %}never closed"), "t.html:1:27: unexpected end of file");
}

TEST(TemplateImport, AnErrorInsideAnImportedMacroNamesTheFormsFile) {
  // nunjucks names the importing template, without a position; ours says where the fault is.
  TempViews views;
  views.write("forms.html", "{% macro bad(x) %}\n  {{ x | nosuchfilter }}\n{% endmacro %}");
  views.write("page.html", "{% import 'forms.html' as f %}{{ f.bad(1) }}");
  TemplateEngine engine(EngineOptions{views.path(), false});
  const TemplateError e = render_error(engine, "page.html");
  EXPECT_EQ(e.file, "forms.html");
  EXPECT_EQ(e.line, 2);
  EXPECT_NE(std::string(e.what()).find("filter not found: nosuchfilter"), std::string::npos);
}

TEST(TemplateImport, ImportCyclesHitTheNestingLimitNotTheStack) {
  TempViews views;
  views.write("a.html", "{% import 'b.html' as b %}");
  views.write("b.html", "{% from 'a.html' import x %}");
  views.write("self.html", "{% import 'self.html' as me %}");
  TemplateEngine engine(EngineOptions{views.path(), false});
  for (const char* name : {"a.html", "self.html"}) {
    const std::string message = render_error(engine, name).what();
    EXPECT_NE(
        message.find("maximum template nesting depth (64) exceeded by extends/include/import"),
        std::string::npos)
        << message;
  }
}

TEST(TemplateImport, EndlessCallerRecursionHitsTheMacroDepthLimit) {
  // `relay`'s call body runs in the frame of `twice`, where `caller` is that body itself:
  // nunjucks recurses until JavaScript's stack overflows (RangeError); we stop at a bound.
  TemplateEngine engine(EngineOptions{fs::temp_directory_path(), false});
  try {
    engine.render_string(
        "{% macro twice() %}{{ caller() }}{% endmacro %}"
        "{% macro relay() %}{% call twice() %}[{{ caller() }}]{% endcall %}{% endmacro %}"
        "{% call relay() %}r{% endcall %}",
        {}, "t.html");
    FAIL() << "expected TemplateError";
  } catch (const TemplateError& e) {
    EXPECT_NE(std::string(e.what()).find("maximum macro call depth (200) exceeded"),
              std::string::npos)
        << e.what();
  }
}

TEST(TemplateImport, CallerArgumentsAndDefaults) {
  TemplateEngine engine(EngineOptions{fs::temp_directory_path(), false});
  EXPECT_EQ(engine.render_string(
                "{% macro each(items) %}{% for i in items %}{{ caller(i, loop.index) }}{% endfor %}"
                "{% endmacro %}{% call(item, n, sep=':') each(['a', '<b>']) %}{{ n }}{{ sep }}"
                "{{ item }};{% endcall %}",
                {}),
            "1:a;2:&lt;b&gt;;");
}

TEST(TemplateImport, CompileAllCachesImportedFiles) {
  TempViews views;
  views.write("forms.html", kForms);
  views.write("page.html", "{% from 'forms.html' import button %}{{ button('Go') }}");
  TemplateEngine engine(EngineOptions{views.path(), false});
  engine.compile_all();
  fs::remove(views.path() / "forms.html");  // production serves what it compiled at start-up
  EXPECT_EQ(engine.render("page.html", {}), "<button>Go</button>");
}

TEST(TemplateImport, CompileAllReportsABrokenFormsFile) {
  TempViews views;
  views.write("forms.html", "{% macro field( %}");
  views.write("page.html", "{% import 'forms.html' as f %}");
  TemplateEngine engine(EngineOptions{views.path(), false});
  try {
    engine.compile_all();
    FAIL() << "expected TemplateError";
  } catch (const TemplateError& e) {
    EXPECT_EQ(e.file, "forms.html");
  }
}

TEST(TemplateImport, DevelopmentReloadNoticesAChangedImportedFile) {
  TempViews views;
  views.write("forms.html", "{% macro button(t) %}<button>{{ t }}</button>{% endmacro %}");
  views.write("page.html", "{% import 'forms.html' as f %}{{ f.button('Go') }}");
  TemplateEngine reloading(EngineOptions{views.path(), true});
  TemplateEngine cached(EngineOptions{views.path(), false});
  EXPECT_EQ(reloading.render("page.html", {}), "<button>Go</button>");
  EXPECT_EQ(cached.render("page.html", {}), "<button>Go</button>");
  // Same size, later mtime: only the imported file changed.
  views.write("forms.html", "{% macro button(t) %}<a class=btn>{{ t }}</a>{% endmacro %}");
  fs::last_write_time(views.path() / "forms.html",
                      fs::file_time_type::clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(reloading.render("page.html", {}), "<a class=btn>Go</a>");
  EXPECT_EQ(cached.render("page.html", {}), "<button>Go</button>");
}

}  // namespace
