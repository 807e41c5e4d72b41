// Engine-level behaviour: the seed's page, loading and caching, reload, compile_all,
// concurrency and the limits that keep hostile templates from crashing the process.
#include "view/template_engine.hpp"

#include "numbered.hpp"
#include "temp_views.hpp"
#include "view/template_value.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using cppapp::view::EngineOptions;
using cppapp::view::TemplateEngine;
using cppapp::view::TemplateError;

const std::string kViews = CPPAPP_TEST_DATA_DIR "/views";

using cppapp::view::testing::TempViews;

TEST(TemplateEngine, SeedIndexMatchesNunjucks) {
  // Bytes from nunjucks 3.2.4: render('index.html', {}) over the repository's views/.
  TemplateEngine engine(EngineOptions{CPPAPP_TEST_DATA_DIR "/../../views", false});
  EXPECT_EQ(
      engine.render("index.html", {}),
      "<!DOCTYPE html>\n<html>\n    <head>\n        <meta name=\"viewport\" "
      "content=\"width=device-width, initial-scale=1\"/>\n    \n    \n    </head>\n    <body>\n   "
      "     <div class=\"content\">\n            \n    Hello World!\n\n        </div>\n        \n  "
      "      \n    </body>\n</html>\n");
}

TEST(TemplateEngine, GlobalsAreVisibleAndContextWins) {
  TemplateEngine engine(EngineOptions{kViews, false});
  engine.set_global("prod", false);
  EXPECT_EQ(engine.render_string("[{{ prod }}][{{ range(2) }}]", {}), "[false][0,1]");
  EXPECT_EQ(engine.render_string("[{{ prod }}]", {{"prod", "ctx"}}), "[ctx]");
  engine.set_global("prod", true);
  EXPECT_EQ(engine.render_string("{% if prod %}P{% endif %}", {}), "P");
}

TEST(TemplateEngine, MissingTemplateIsAnError) {
  TemplateEngine engine(EngineOptions{kViews, false});
  try {
    engine.render("nope.html", {});
    FAIL() << "expected TemplateError";
  } catch (const TemplateError& e) {
    EXPECT_EQ(e.file, "nope.html");
    EXPECT_NE(std::string(e.what()).find("template not found: nope.html"), std::string::npos);
  }
}

TEST(TemplateEngine, NamesCannotEscapeTheViewsDirectory) {
  TemplateEngine engine(EngineOptions{kViews + "/pages", false});
  EXPECT_THROW(engine.render("../layouts/base.html", {}), TemplateError);
  EXPECT_THROW(engine.render("/etc/passwd", {}), TemplateError);
  EXPECT_THROW(engine.render_string("{% include '../layouts/footer.html' %}", {}), TemplateError);
  EXPECT_THROW(engine.render("", {}), TemplateError);
  EXPECT_THROW(engine.render(".", {}), TemplateError);
}

TEST(TemplateEngine, ErrorsNameTheFileLineAndColumn) {
  TemplateEngine engine(EngineOptions{kViews, false});
  try {
    engine.render_string("line1\n  {% if %}x{% endif %}", {}, "page.html");
    FAIL() << "expected TemplateError";
  } catch (const TemplateError& e) {
    // nunjucks: [Line 2, Column 9] unexpected token: %}
    EXPECT_EQ(e.file, "page.html");
    EXPECT_EQ(e.line, 2);
    EXPECT_EQ(e.column, 9);
    EXPECT_STREQ(e.what(), "page.html:2:9: unexpected token: %}");
  }
}

TEST(TemplateEngine, RenderStringResolvesRelativeNamesAgainstItsName) {
  TemplateEngine engine(EngineOptions{kViews, false});
  EXPECT_EQ(engine.render_string("{% for x in ['a'] %}{% include './item.html' %}{% endfor %}", {},
                                 "pages/new.html"),
            "<li>1:a</li>\n");
  // Without a directory in the name, relative names resolve against views_dir (as renderString
  // does).
  EXPECT_EQ(engine.render_string("{% include './layouts/footer.html' %}", {{"year", 1}}),
            "<footer>no site 1</footer>\n");
}

TEST(TemplateEngine, CompileAllReportsTheFirstBrokenFileWithItsLocation) {
  TempViews views;
  views.write("a_good.html", "{{ x }}");
  views.write("sub/bad.html", "line1\n  {% if %}x{% endif %}");
  TemplateEngine engine(EngineOptions{views.path(), false});
  try {
    engine.compile_all();
    FAIL() << "expected TemplateError";
  } catch (const TemplateError& e) {
    EXPECT_EQ(e.file, "sub/bad.html");
    EXPECT_EQ(e.line, 2);
    EXPECT_EQ(e.column, 9);
  }
}

TEST(TemplateEngine, CompileAllParsesOnceAndServesFromTheCache) {
  TempViews views;
  views.write("page.html", "{% extends './base.html' %}{% block b %}child{% endblock %}");
  views.write("base.html", "<{% block b %}{% endblock %}>");
  TemplateEngine engine(EngineOptions{views.path(), false});
  engine.compile_all();
  fs::remove(views.path() / "page.html");
  fs::remove(views.path() / "base.html");
  EXPECT_EQ(engine.render("page.html", {}), "<child>");
}

TEST(TemplateEngine, ReloadOnChangeReparsesChangedFiles) {
  TempViews views;
  views.write("page.html", "v1");
  TemplateEngine reloading(EngineOptions{views.path(), true});
  TemplateEngine cached(EngineOptions{views.path(), false});
  EXPECT_EQ(reloading.render("page.html", {}), "v1");
  EXPECT_EQ(cached.render("page.html", {}), "v1");
  views.write("page.html",
              "version {{ 2 }}");  // a different size is detected even within one mtime tick
  EXPECT_EQ(reloading.render("page.html", {}), "version 2");
  EXPECT_EQ(cached.render("page.html", {}), "v1");
  // Same size, later mtime.
  views.write("page.html", "version {{ 3 }}");
  fs::last_write_time(views.path() / "page.html",
                      fs::file_time_type::clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(reloading.render("page.html", {}), "version 3");
  // A deleted file is gone for the reloading engine.
  fs::remove(views.path() / "page.html");
  EXPECT_THROW(reloading.render("page.html", {}), TemplateError);
  EXPECT_EQ(cached.render("page.html", {}), "v1");
}

TEST(TemplateEngine, RendersConcurrentlyFromFourThreads) {
  TemplateEngine engine(EngineOptions{kViews, false});
  const boost::json::object context{{"items", boost::json::array{"<a>", "b"}}, {"site", "Site&Co"}};
  const std::string expected = engine.render("pages/leaf.html", context);
  ASSERT_NE(expected.find("Leaf | Middle - Default"), std::string::npos);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < 200; ++i) {
          if (engine.render("pages/leaf.html", context) != expected) ++mismatches[t];
          if (engine.render_string("{% include 'pages/item.html' %}", {{"x", t}}).empty())
            ++mismatches[t];
        }
      } catch (const std::exception&) {
        ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST(TemplateEngine, RendersConcurrentlyWhileReloading) {
  TempViews views;
  views.write("page.html", "{{ 1 + 1 }}");
  TemplateEngine engine(EngineOptions{views.path(), true});
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < 200; ++i)
          if (engine.render("page.html", {}) != "2") ++failures[t];
      } catch (const std::exception&) {
        ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

TEST(TemplateEngine, IncludeAndExtendsDepthIsBounded) {
  TemplateEngine engine(EngineOptions{kViews, false});
  try {
    engine.render("partials/self_include.html", {});
    FAIL() << "expected TemplateError";
  } catch (const TemplateError& e) {
    EXPECT_NE(std::string(e.what()).find("depth"), std::string::npos);
  }
  EXPECT_THROW(engine.render("partials/self_extends.html", {}), TemplateError);
}

TEST(TemplateEngine, DeepIncludeChainsWithinTheLimitWork) {
  TempViews views;
  for (int i = 0; i < 30; ++i)
    views.write(numbered("t", i) + ".html",
                std::to_string(i) + "{% include 't" + std::to_string(i + 1) + ".html' %}");
  views.write("t30.html", "end");
  TemplateEngine engine(EngineOptions{views.path(), false});
  std::string expected;
  for (int i = 0; i < 30; ++i) expected += std::to_string(i);
  EXPECT_EQ(engine.render("t0.html", {}), expected + "end");
}

TEST(TemplateEngine, HostileExpressionNestingIsRejectedNotCrashing) {
  TemplateEngine engine(EngineOptions{kViews, false});
  const int n = 100000;
  EXPECT_THROW(
      engine.render_string("{{ " + std::string(n, '(') + "1" + std::string(n, ')') + " }}", {}),
      TemplateError);
  EXPECT_THROW(engine.render_string("{{ " + std::string(n, '[') + std::string(n, ']') + " }}", {}),
               TemplateError);
  std::string chain = "{{ 1";
  for (int i = 0; i < n; ++i) chain += " + 1";
  EXPECT_THROW(engine.render_string(chain + " }}", {}), TemplateError);
  std::string nots = "{{ ";
  for (int i = 0; i < n; ++i) nots += "not ";
  EXPECT_THROW(engine.render_string(nots + "1 }}", {}), TemplateError);
  std::string filters = "{{ 'x'";
  for (int i = 0; i < n; ++i) filters += "|upper";
  EXPECT_THROW(engine.render_string(filters + " }}", {}), TemplateError);
  std::string ifs;
  for (int i = 0; i < n; ++i) ifs += "{% if true %}";
  EXPECT_THROW(engine.render_string(ifs, {}), TemplateError);
  // Moderate nesting is fine.
  EXPECT_EQ(
      engine.render_string("{{ " + std::string(40, '(') + "7" + std::string(40, ')') + " }}", {}),
      "7");
}

TEST(TemplateEngine, HostileRangeIsBounded) {
  TemplateEngine engine(EngineOptions{kViews, false});
  EXPECT_THROW(engine.render_string("{% for i in range(1000000000000) %}{% endfor %}", {}),
               TemplateError);
  EXPECT_EQ(engine.render_string("{{ range(1000) | length }}", {}), "1000");
}

TEST(TemplateEngine, HostileTextIsHandled) {
  TemplateEngine engine(EngineOptions{kViews, false});
  EXPECT_THROW(engine.render_string("{{", {}), TemplateError);
  EXPECT_THROW(engine.render_string("{%", {}), TemplateError);
  EXPECT_THROW(engine.render_string("{#", {}), TemplateError);
  EXPECT_THROW(engine.render_string("{{ '\\", {}), TemplateError);
  EXPECT_EQ(engine.render_string(std::string("a\0b", 3), {}), std::string("a\0b", 3));
  EXPECT_EQ(engine.render_string("\xff\xfe{{ '\xc3' }}", {}), "\xff\xfe\xc3");
  const std::string big(1 << 20, 'x');
  EXPECT_EQ(engine.render_string(big, {}), big);
}

TEST(TemplateValue, FormatsNumbersAsJavaScriptDoes) {
  using cppapp::view::tpl::format_number;
  EXPECT_EQ(format_number(1), "1");
  EXPECT_EQ(format_number(1.5), "1.5");
  EXPECT_EQ(format_number(-0.0), "0");
  EXPECT_EQ(format_number(1e21), "1e+21");
  EXPECT_EQ(format_number(1e20), "100000000000000000000");
  EXPECT_EQ(format_number(123e-20), "1.23e-18");
  EXPECT_EQ(format_number(0.000001), "0.000001");
  EXPECT_EQ(format_number(1e-7), "1e-7");
  EXPECT_EQ(format_number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format_number(-1.5e300), "-1.5e+300");
  EXPECT_EQ(format_number(5e-324), "5e-324");
  EXPECT_EQ(format_number(1.0 / 0.0), "Infinity");
  EXPECT_EQ(format_number(-1.0 / 0.0), "-Infinity");
  EXPECT_EQ(format_number(0.0 / 0.0), "NaN");
  EXPECT_EQ(format_number(123456.789), "123456.789");
}

}  // namespace

namespace {

TEST(TemplateEngine, HostileMacrosAndBatchesAreBounded) {
  cppapp::view::TemplateEngine engine(
      cppapp::view::EngineOptions{CPPAPP_TEST_DATA_DIR "/views", false});
  // Endless recursion is an error, not a stack overflow (nunjucks: RangeError).
  EXPECT_THROW(engine.render_string("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", {}),
               cppapp::view::TemplateError);
  // Legitimate recursion (a tree a few levels deep) renders.
  EXPECT_EQ(engine.render_string(
                "{% macro m(n) %}{% if n > 0 %}{{ n }}{{ m(n - 1) }}{% endif %}{% endmacro %}"
                "{{ m(50) | length }}",
                {}),
            "91");
  // Padding a row to a huge count must not exhaust memory.
  EXPECT_THROW(engine.render_string("{{ [1] | batch(1000000000000, 'x') }}", {}),
               cppapp::view::TemplateError);
}

}  // namespace
