#include "view/template_engine.hpp"

#include <gtest/gtest.h>

TEST(TemplateSmoke, Renders) {
  cppapp::view::TemplateEngine engine({CPPAPP_TEST_DATA_DIR "/views", false});
  EXPECT_EQ(engine.render_string("a{{ 1 + 2 }}b", {}), "a3b");
}
