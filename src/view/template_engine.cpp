#include "view/template_engine.hpp"

#include "view/template_parser.hpp"
#include "view/template_renderer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <vector>

namespace cppapp::view {

TemplateError::TemplateError(std::string file_, int line_, int column_, const std::string& message)
    : std::runtime_error(file_ + ":" + std::to_string(line_) + ":" + std::to_string(column_) +
                         ": " + message),
      file(std::move(file_)),
      line(line_),
      column(column_) {}

namespace fs = std::filesystem;

struct TemplateEngine::Impl {
  struct Entry {
    tpl::TemplatePtr tmpl;
    fs::file_time_type mtime;
    std::uintmax_t size = 0;
  };

  fs::path root;
  bool reload = false;
  mutable std::mutex mutex;
  mutable std::unordered_map<std::string, Entry> cache;  // by absolute path
  std::shared_ptr<const tpl::Object> globals = default_globals();

  static std::shared_ptr<const tpl::Object> default_globals() {
    auto g = std::make_shared<tpl::Object>();
    g->set("range", tpl::Value::from_builtin(tpl::Builtin::range));
    return g;
  }

  // nunjucks FileSystemLoader: "./x" and "../x" are relative to the referencing template's
  // directory; everything else to the views root; nothing outside the root is served.
  std::optional<fs::path> resolve(const std::string& name,
                                  const tpl::CompiledTemplate* parent) const {
    bool relative = name.starts_with("./") || name.starts_with("../");
    fs::path p = (parent && relative) ? fs::path(parent->path).parent_path() / name : root / name;
    p = p.lexically_normal();
    fs::path rel = p.lexically_relative(root);
    if (rel.empty() || rel == "." || *rel.begin() == "..") return std::nullopt;
    return p;
  }

  tpl::TemplatePtr get(const std::string& name, const tpl::CompiledTemplate* parent) const {
    auto path = resolve(name, parent);
    if (!path) return nullptr;
    const std::string key = path->string();
    {
      std::lock_guard lock(mutex);
      auto it = cache.find(key);
      if (it != cache.end() && !reload) return it->second.tmpl;
    }
    std::error_code ec;
    if (!fs::is_regular_file(*path, ec)) return nullptr;
    auto mtime = fs::last_write_time(*path, ec);
    auto size = fs::file_size(*path, ec);
    if (ec) return nullptr;
    {
      std::lock_guard lock(mutex);
      auto it = cache.find(key);
      if (it != cache.end() && it->second.mtime == mtime && it->second.size == size)
        return it->second.tmpl;
    }
    std::ifstream in(*path, std::ios::binary);
    if (!in) {
      const int error = errno;
      if (error != EMFILE && error != ENFILE && error != ENOMEM) return nullptr;
      // Out of descriptors (development re-reads changed templates): the last good version
      // serves, else the request is told to come back.
      std::lock_guard lock(mutex);
      if (auto it = cache.find(key); it != cache.end()) return it->second.tmpl;
      throw TemplateUnavailable(key + " cannot be opened: " + std::strerror(error));
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto compiled = std::make_shared<tpl::CompiledTemplate>();
    compiled->name = path->lexically_relative(root).generic_string();
    compiled->path = key;
    compiled->program = tpl::parse_template(text.str(), compiled->name);
    std::lock_guard lock(mutex);
    cache[key] = Entry{compiled, mtime, size};
    return compiled;
  }

  std::shared_ptr<const tpl::Object> globals_snapshot() const {
    std::lock_guard lock(mutex);
    return globals;
  }

  std::string render(const tpl::TemplatePtr& tmpl, const boost::json::object& context) const {
    auto vars = std::make_shared<tpl::Object>();
    for (const auto& kv : context) vars->set(std::string(kv.key()), tpl::from_json(kv.value()));
    auto g = globals_snapshot();
    tpl::TemplateLoader loader = [this](const std::string& name,
                                        const tpl::CompiledTemplate* parent) {
      return get(name, parent);
    };
    return tpl::render_template(tmpl, std::move(vars), *g, loader);
  }
};

TemplateEngine::TemplateEngine(EngineOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->root = fs::absolute(options.views_dir).lexically_normal();
  if (!impl_->root.has_filename()) impl_->root = impl_->root.parent_path();  // drop a trailing '/'
  impl_->reload = options.reload_on_change;
}

TemplateEngine::~TemplateEngine() = default;
TemplateEngine::TemplateEngine(TemplateEngine&&) noexcept = default;
TemplateEngine& TemplateEngine::operator=(TemplateEngine&&) noexcept = default;

void TemplateEngine::set_global(std::string name, boost::json::value value) {
  std::lock_guard lock(impl_->mutex);
  auto copy = std::make_shared<tpl::Object>(*impl_->globals);
  copy->set(name, tpl::from_json(value));
  impl_->globals = std::move(copy);
}

void TemplateEngine::compile_all() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(impl_->root, ec), end; !ec && it != end;
       it.increment(ec))
    if (it->is_regular_file(ec)) files.push_back(it->path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files)
    impl_->get(file.lexically_relative(impl_->root).generic_string(), nullptr);
}

std::string TemplateEngine::render(std::string_view name,
                                   const boost::json::object& context) const {
  auto tmpl = impl_->get(std::string(name), nullptr);
  if (!tmpl)
    throw TemplateError(std::string(name), 1, 1, "template not found: " + std::string(name));
  return impl_->render(tmpl, context);
}

std::string TemplateEngine::render_string(std::string_view source,
                                          const boost::json::object& context,
                                          std::string_view name) const {
  auto tmpl = std::make_shared<tpl::CompiledTemplate>();
  tmpl->name = std::string(name);
  tmpl->path = (impl_->root / std::string(name)).lexically_normal().string();
  tmpl->program = tpl::parse_template(source, tmpl->name);
  return impl_->render(tmpl, context);
}

}  // namespace cppapp::view
