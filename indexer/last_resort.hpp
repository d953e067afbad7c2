// The indexer's last resort when a library aborts the process (std::terminate). libxapian
// 1.4.22 sometimes calls std::terminate inside WritableDatabase::commit() when the disk fills
// (seen in the DiskFull tests, with one writer thread or several). What is committed is safe (a
// commit is atomic, and a --full rebuild is written beside the live index unless it cannot be:
// then the index holds what the rebuild committed so far), but without this the process dies of
// SIGABRT saying only "terminate called without an active exception", and a rebuild's
// half-built copy stays on the full disk.
#pragma once

#include <filesystem>
#include <string>

namespace news {

// Installs the handler; once, at the program boundary.
void install_last_resort();

// What the handler reports on: the index being written, and whether a --full rebuild is
// rewriting it in place (then it holds what the rebuild committed, not its old state).
void last_resort_index(const std::filesystem::path& index, bool rebuilding_in_place);

// The rebuild's staging directory, deleted by the handler (empty: none).
void last_resort_staging(const std::filesystem::path& staging);

// What is left of the index after writing it failed, in words: the old index (a --full
// rebuild written beside it), what a --full rebuilt in place had committed, or its last commit
// (commits are atomic). The handler's message and the indexer's disk errors both say it.
std::string what_the_index_keeps(bool rebuilt_beside, bool rebuilt_in_place);

}  // namespace news
