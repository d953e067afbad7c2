// The indexer's last resort when a library aborts the process (std::terminate). libxapian
// 1.4.22 sometimes calls std::terminate inside WritableDatabase::commit() when the disk fills
// (seen in the DiskFull tests, with one writer thread or several). The index itself is safe
// (a commit is atomic, and a --full rebuild is written beside the live index), but without this
// the process dies of SIGABRT saying only "terminate called without an active exception", and
// a rebuild's half-built copy stays on the full disk.
#pragma once

#include <filesystem>
#include <string>

namespace news {

// Installs the handler; once, at the program boundary.
void install_last_resort();

// What the handler reports on: the index being written and whether it is a --full rebuild.
void last_resort_index(const std::filesystem::path& index, bool full);

// The rebuild's staging directory, deleted by the handler (empty: none).
void last_resort_staging(const std::filesystem::path& staging);

// What a user should know when writing the index failed because of the disk, or "": what
// happened, and that the index keeps its last commit (commits are atomic; a --full rebuild
// leaves the old index as it was). `detail` is the error's text (it names the errno).
std::string storage_cause(bool full, const std::string& detail);

}  // namespace news
