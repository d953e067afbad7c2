// The walk over the inputs (walker.hpp): the files and folders given, folders recursed with
// hidden entries, unsupported files and special files skipped and a folder already visited
// (a symlink loop) not entered again; what cannot be read is rejected with its reason. The
// files come out in path order, each once.
#include "walker.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "parser.hpp"

namespace news {

namespace fs = std::filesystem;

namespace {

std::string absolute_key(const fs::path& p) {
    std::error_code ec;
    fs::path a = fs::absolute(p, ec);
    return (ec ? p : a).lexically_normal().string();
}

}  // namespace

void Walker::add_input(const fs::path& input) {
    struct stat st {};
    if (::stat(input.c_str(), &st) != 0) {
        reject(input.string(), std::string("cannot read: ") + std::strerror(errno));
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        roots_.push_back(absolute_key(input));
        walk_dir(input, input, st);
    } else if (S_ISREG(st.st_mode)) {
        roots_.push_back(absolute_key(input));
        add_file(input, input.filename(), st, /*explicit_arg=*/true);
    } else {
        reject(input.string(), "not a regular file or directory");
    }
}

std::vector<InputFile> Walker::take_files() {
    std::sort(files_.begin(), files_.end(),
              [](const InputFile& a, const InputFile& b) { return a.key < b.key; });
    files_.erase(std::unique(files_.begin(), files_.end(),
                             [](const InputFile& a, const InputFile& b) { return a.key == b.key; }),
                 files_.end());
    return std::move(files_);
}

void Walker::reject(const std::string& file, const std::string& reason) {
    unreadable_.push_back(absolute_key(file));
    stats_.rejections.push_back({file, 0, 0, reason});
    ++stats_.rejected;
}

void Walker::exclude_dir(const fs::path& dir) {
    std::string key = absolute_key(dir);
    while (key.size() > 1 && key.back() == '/') key.pop_back();
    excluded_.push_back(std::move(key));
}

void Walker::add_file(const fs::path& p, const fs::path& rel, const struct stat& st,
                      bool explicit_arg) {
    if (file_kind(p) == FileKind::Unsupported && !explicit_arg) {
        ++stats_.skipped;
        return;
    }
    InputFile f;
    f.key = absolute_key(p);
    f.rel = rel.generic_string();
    f.size = static_cast<uint64_t>(st.st_size);
    f.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    files_.push_back(std::move(f));
}

void Walker::walk_dir(const fs::path& dir, const fs::path& root, const struct stat& dir_st) {
    if (!visited_.insert({dir_st.st_dev, dir_st.st_ino}).second) return;  // loop
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) {
        reject(dir.string(), "cannot read directory: " + ec.message());
        return;
    }
    std::vector<fs::path> entries;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) break;
        entries.push_back(it->path());
    }
    if (ec) reject(dir.string(), "cannot list directory: " + ec.message());
    std::sort(entries.begin(), entries.end());
    for (const auto& p : entries) {
        const std::string name = p.filename().string();
        if (name.starts_with('.')) {
            ++stats_.skipped;
            continue;
        }
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) {
            const int err = errno;
            struct stat lst {};
            const bool is_link = ::lstat(p.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode);
            if (err == ENOENT && !is_link) continue;  // deleted while we were listing
            reject(p.string(), std::string(is_link ? "broken symlink: " : "cannot read: ") +
                                   std::strerror(err));
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (!excluded_.empty() &&
                std::find(excluded_.begin(), excluded_.end(), absolute_key(p)) != excluded_.end())
                continue;  // the index
            walk_dir(p, root, st);
        } else if (S_ISREG(st.st_mode)) {
            add_file(p, p.lexically_relative(root), st, false);
        } else {
            ++stats_.skipped;
        }
    }
}

}  // namespace news
