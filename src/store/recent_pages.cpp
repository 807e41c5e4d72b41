#include "store/recent_pages.hpp"

namespace cppapp::store {

RecentPages::RecentPages(std::size_t max_bytes, Clock::duration max_age)
    : max_bytes_(max_bytes), max_age_(max_age) {}

std::uint64_t RecentPages::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

std::shared_ptr<const Page> RecentPages::find(std::size_t limit,
                                              const std::optional<std::string>& before,
                                              const std::function<FilesStamp()>& files_now,
                                              Clock::time_point now) const {
  std::shared_ptr<const Page> page;
  FilesStamp read_from;
  {
    std::lock_guard lock(mutex_);
    const auto kept = pages_.find(KeyView(limit, before ? std::string_view(*before) : ""));
    if (kept == pages_.end() || now - kept->second.read_at >= max_age_) return nullptr;
    page = kept->second.page;
    read_from = kept->second.files;
  }
  // Stamped after the page was found (and outside the lock): unchanged since before its read
  // means unchanged since it was read, at a moment later still.
  return files_now() == read_from ? page : nullptr;
}

void RecentPages::keep(std::size_t limit, const std::optional<std::string>& before,
                       std::uint64_t generation, const FilesStamp& files, const Page& page,
                       Clock::time_point now) {
  const std::size_t bytes = page_bytes(page);
  if (bytes > max_bytes_) return;
  auto kept = std::make_shared<const Page>(page);
  std::lock_guard lock(mutex_);
  // A write committed after this read began: the page may be from before it. forget_all ran
  // after that commit, so nothing read earlier is kept from then on.
  if (generation != generation_) return;
  Key key(limit, before.value_or(std::string()));
  if (const auto old = pages_.find(key); old != pages_.end()) {
    bytes_ -= old->second.bytes;
    pages_.erase(old);
  }
  while (bytes_ + bytes > max_bytes_ && !insertion_order_.empty()) {
    if (is_current(insertion_order_.front())) {
      const auto oldest = pages_.find(insertion_order_.front().first);
      bytes_ -= oldest->second.bytes;
      pages_.erase(oldest);
    }
    insertion_order_.pop_front();
  }
  // Names of replaced pages would pile up while one page is read again and again: drop them
  // once they outnumber the pages kept.
  if (insertion_order_.size() > 2 * pages_.size() + 16) {
    std::erase_if(insertion_order_, [this](const auto& named) { return !is_current(named); });
  }
  const std::uint64_t serial = next_serial_++;
  insertion_order_.emplace_back(key, serial);
  pages_.emplace(std::move(key), Kept{std::move(kept), files, now, bytes, serial});
  bytes_ += bytes;
}

bool RecentPages::is_current(const std::pair<Key, std::uint64_t>& named) const {
  const auto kept = pages_.find(named.first);
  return kept != pages_.end() && kept->second.serial == named.second;
}

void RecentPages::forget_all() {
  std::lock_guard lock(mutex_);
  ++generation_;
  pages_.clear();
  insertion_order_.clear();
  bytes_ = 0;
}

std::size_t RecentPages::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t page_bytes(const Page& page) {
  std::size_t bytes = sizeof(Page) + (page.older_cursor ? page.older_cursor->size() : 0);
  for (const auto& entry : page.entries) {
    bytes += sizeof(Entry) + entry.id.size() + entry.name.size() + entry.message.size();
  }
  return bytes;
}

}  // namespace cppapp::store
