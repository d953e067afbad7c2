// The walk over the inputs: which files an indexer run looks at (regular files of a supported
// type, recursively, hidden entries skipped, symlinks followed but never into a directory
// already visited), in path order; what cannot be read is rejected with its reason.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine.hpp"

namespace news {

struct InputFile {
    std::string key;  // absolute, lexically normal path: the file table key
    std::string rel;  // relative to the input root it was found under
    uint64_t size = 0;
    int64_t mtime_ns = 0;
};

class Walker {
  public:
    explicit Walker(IndexStats& stats) : stats_(stats) {}
    // The index directory: never walked into (the indexer writes it while the inputs are
    // walked, and its files are no articles).
    void exclude_dir(const std::filesystem::path& dir);
    void add_input(const std::filesystem::path& input);
    // The files found, sorted by key, each once.
    std::vector<InputFile> take_files();
    const std::vector<std::string>& roots() const { return roots_; }
    // What could not be read or listed (absolute keys): what the file table lists under them
    // was not seen, but is not gone either (pruning spares it).
    const std::vector<std::string>& unreadable() const { return unreadable_; }

  private:
    void reject(const std::string& file, const std::string& reason);
    void add_file(const std::filesystem::path& p, const std::filesystem::path& rel,
                  const struct stat& st, bool explicit_arg);
    void walk_dir(const std::filesystem::path& dir, const std::filesystem::path& root,
                  const struct stat& dir_st);

    IndexStats& stats_;
    std::vector<InputFile> files_;
    std::vector<std::string> roots_;
    std::vector<std::string> unreadable_;
    std::set<std::pair<dev_t, ino_t>> visited_;
    std::vector<std::string> excluded_;  // absolute_key of the index directory and its staging
};

}  // namespace news
