// Replacing a directory atomically, as `indexer --full` and `--compact` do: a reader opening
// the path sees the old directory or the new one, never neither and never a half-built one.
#pragma once

#include <filesystem>

namespace news {

// The index directory `index` as the swap must see it: absolute, symlinks resolved (the swap
// replaces the directory, not a link to it), no trailing "/" or "/.".
std::filesystem::path live_path(const std::filesystem::path& index);

// Why a directory cannot be swapped in at `live` by a rename ("" when it can): `live` is a mount
// point or on another file system than its parent, or the parent is not writable.
std::string why_not_swappable(const std::filesystem::path& live);

// Where `indexer --full` builds the new copy of the index at `live`: a hidden sibling
// directory (`.NAME.rebuild`), on the same file system so that the swap is a rename.
std::filesystem::path staging_path(const std::filesystem::path& live);

// Puts the directory `fresh` at `live` in one step (renameat2 with RENAME_EXCHANGE); the old
// directory is then at `fresh`, for the caller to delete. Where the file system cannot exchange,
// falls back to two renames (a reader may then find nothing at `live` for an instant). Throws
// IndexError naming both paths.
void replace_dir(const std::filesystem::path& fresh, const std::filesystem::path& live);

// Makes everything under the directory `dir` durable: fsync of every regular file and every
// directory in it (itself included). A rebuild writes its copy without syncing each commit (a
// crash discards the copy anyway) and calls this once before the swap. Returns how many files
// and directories it synced. Throws IndexError naming the file that could not be synced.
std::size_t sync_tree(const std::filesystem::path& dir);

// fsync of the directory `dir` alone (a rename in it is then durable). Throws IndexError.
void sync_dir(const std::filesystem::path& dir);

}  // namespace news
