// The indexer on a disk that fills up, and on a read-only one: exit 3 with a message saying so,
// the last committed state still searchable and consistent, and a re-run after space is freed
// finishing the job. Each test mounts a small tmpfs of its own (and unmounts it); where
// mounting is impossible (no CAP_SYS_ADMIN) the tests are skipped, saying why.
#include <sys/mount.h>

#include <thread>

#include "last_resort.hpp"
#include "reliability_support.hpp"

using namespace news::test::reliability;

namespace {

// A tmpfs of `mib` MiB at `dir`, unmounted when it goes.
class Tmpfs {
  public:
    Tmpfs(const fs::path& dir, int mib) : dir_(dir) {
        fs::create_directories(dir);
        const std::string opts = "size=" + std::to_string(mib) + "m";
        if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, opts.c_str()) != 0) {
            error_ = std::strerror(errno);
        } else {
            mounted_ = true;
        }
    }
    ~Tmpfs() {
        if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    }
    Tmpfs(const Tmpfs&) = delete;
    Tmpfs& operator=(const Tmpfs&) = delete;
    bool mounted() const { return mounted_; }
    const std::string& error() const { return error_; }
    bool remount(bool read_only) {
        const unsigned long flags = MS_REMOUNT | (read_only ? MS_RDONLY : 0);
        return ::mount("tmpfs", dir_.c_str(), "tmpfs", flags, nullptr) == 0;
    }

  private:
    fs::path dir_;
    bool mounted_ = false;
    std::string error_;
};

#define MOUNT_OR_SKIP(t)                                         \
    if (!(t).mounted())                                          \
    GTEST_SKIP() << "cannot mount a tmpfs here (" << (t).error() \
                 << "): these tests need root or CAP_SYS_ADMIN, as on the CI machine"

// An exception escaping a noexcept function: std::terminate with the exception current.
void throw_in_noexcept() noexcept {
    try {
        throw std::runtime_error("boom");
    } catch (...) {
        std::terminate();
    }
}

// What the indexer does around a write, then `abort` (which ends in std::terminate).
void abort_while_writing(const fs::path& index, bool in_place, const fs::path& staging,
                         void (*abort)()) {
    news::install_last_resort();
    news::last_resort_index(index, in_place);
    news::last_resort_staging(staging);
    abort();
}

// Fills the file system of `dir` with a file, then gives back `leave` bytes of it.
fs::path fill_disk(const fs::path& dir, std::size_t leave) {
    const fs::path filler = dir / "filler";
    std::FILE* f = std::fopen(filler.c_str(), "wb");
    const std::string chunk(64 * 1024, 'x');
    std::size_t written = 0;
    while (f && std::fwrite(chunk.data(), 1, chunk.size(), f) == chunk.size() &&
           std::fflush(f) == 0)
        written += chunk.size();
    if (f) std::fclose(f);
    fs::resize_file(filler, written > leave ? written - leave : 0);
    return filler;
}

// The first `n` articles of the generated corpus, in `dir`.
void write_corpus(const fs::path& dir, std::size_t from, std::size_t to) {
    const CorpusGen gen(11, 600);
    for (std::size_t i = from; i < to; ++i) {
        const fs::path p = dir / CorpusGen::rel_path(i);
        fs::create_directories(p.parent_path());
        std::ofstream(p) << gen.text(i);
    }
}

TEST(DiskFull, IncrementalRunStopsWithAClearErrorAndKeepsItsLastCommit) {
    TempDir work;
    Tmpfs disk(work.path() / "disk", 16);
    MOUNT_OR_SKIP(disk);
    const fs::path corpus = work.path() / "corpus", index = work.path() / "disk" / "index";
    write_corpus(corpus, 0, 100);
    auto first = run_indexer(index_args(index, corpus, 20), work.path());
    ASSERT_EQ(first->exit_code(), 0) << first->stderr_text();
    const auto before = fingerprint(index);

    write_corpus(corpus, 100, 600);
    const fs::path filler = fill_disk(work.path() / "disk", 96 * 1024);
    auto full = run_indexer(index_args(index, corpus, 20), work.path());
    EXPECT_EQ(full->exit_code(), news::kExitIndex) << full->stdout_text() << full->stderr_text();
    EXPECT_NE(full->stderr_text().find("the disk is full"), std::string::npos)
        << full->stderr_text();
    EXPECT_NE(full->stderr_text().find(index.string()), std::string::npos) << full->stderr_text();
    // What is committed is consistent and searchable: the first run's articles at least.
    EXPECT_EQ(check_index(index), "");
    const uint64_t kept = visible_articles(index);
    EXPECT_GE(kept, 100u);
    EXPECT_LT(kept, 600u) << "the disk should have filled before the end";
    if (kept == 100) {
        EXPECT_TRUE(fingerprint(index) == before);
    }

    fs::remove(filler);  // space again: a re-run finishes the job
    auto again = run_indexer(index_args(index, corpus, 20), work.path());
    EXPECT_EQ(again->exit_code(), 0) << again->stderr_text();
    EXPECT_EQ(visible_articles(index), 600u);
    EXPECT_EQ(check_index(index), "");
}

TEST(DiskFull, FullRebuildOnAFullDiskLeavesTheOldIndexAndFreesItsCopy) {
    TempDir work;
    Tmpfs disk(work.path() / "disk", 16);
    MOUNT_OR_SKIP(disk);
    const fs::path corpus = work.path() / "corpus", index = work.path() / "disk" / "index";
    write_corpus(corpus, 0, 300);
    auto first = run_indexer(index_args(index, corpus, 50), work.path());
    ASSERT_EQ(first->exit_code(), 0) << first->stderr_text();
    const auto before = fingerprint(index);

    const fs::path filler = fill_disk(work.path() / "disk", 256 * 1024);
    const auto free_before = fs::space(work.path() / "disk").available;
    auto rebuild = run_indexer(index_args(index, corpus, 50, {"--full"}), work.path());
    EXPECT_EQ(rebuild->exit_code(), news::kExitIndex) << rebuild->stderr_text();
    EXPECT_NE(rebuild->stderr_text().find("the disk is full"), std::string::npos)
        << rebuild->stderr_text();
    EXPECT_NE(rebuild->stderr_text().find("as it was before the rebuild"), std::string::npos)
        << rebuild->stderr_text();
    EXPECT_TRUE(fingerprint(index) == before);
    EXPECT_EQ(visible_articles(index), 300u);
    EXPECT_FALSE(fs::exists(work.path() / "disk" / ".index.rebuild"));
    EXPECT_GE(fs::space(work.path() / "disk").available, free_before)
        << "the half-built copy should have been removed";
    fs::remove(filler);
}

// libxapian 1.4.22 sometimes calls std::terminate inside commit() when the disk fills (the test
// above hits it in most runs). The indexer's last resort (indexer/last_resort.cpp) then says the
// disk is full, deletes the half-built copy and exits 3, as for a disk-full error Xapian throws.
// Here std::terminate is called directly, in a child process, on a full tmpfs.
TEST(DiskFull, AbortInsideALibraryOnAFullDiskIsReportedAndFreesTheCopy) {
    TempDir work;
    Tmpfs disk(work.path() / "disk", 4);
    MOUNT_OR_SKIP(disk);
    const fs::path index = work.path() / "disk" / "index",
                   staging = work.path() / "disk" / ".index.rebuild";
    fs::create_directories(index);
    fs::create_directories(staging);
    const fs::path filler = fill_disk(work.path() / "disk", 0);
    EXPECT_EXIT(abort_while_writing(index, true, staging, [] { std::terminate(); }),
                ::testing::ExitedWithCode(news::kExitIndex),
                "indexer: index '.*': the disk is full; the index is as it was before the rebuild.*"
                "std::terminate");
    EXPECT_FALSE(fs::exists(staging));
    EXPECT_TRUE(fs::exists(index));
    fs::remove(filler);
}

// Anywhere else it is an internal error (exit 70), and the message says the index is intact.
TEST(DiskFull, AbortInsideALibraryWithSpaceLeftIsAnInternalError) {
    TempDir work;
    const fs::path index = work.path() / "index";
    fs::create_directories(index);
    EXPECT_EXIT(abort_while_writing(index, false, {}, throw_in_noexcept),
                ::testing::ExitedWithCode(news::kExitInternal),
                "indexer: internal error: a library call aborted the process \\(std::terminate: "
                "boom\\); the index keeps its last committed state");
}

// A --full rebuilt in place (no staging directory: a mount point) keeps what it committed, and
// says to run it again; the handler also runs when a worker thread terminates.
TEST(DiskFull, AbortInAWorkerThreadDuringAnInPlaceRebuildSaysToRunItAgain) {
    TempDir work;
    const fs::path index = work.path() / "index";
    fs::create_directories(index);
    EXPECT_EXIT(
        abort_while_writing(index, true, {}, [] { std::thread([] { std::terminate(); }).join(); }),
        ::testing::ExitedWithCode(news::kExitInternal),
        "internal error: a library call aborted the process \\(std::terminate\\); the index "
        "holds what the rebuild had committed: run indexer --full again");
}

TEST(DiskFull, ReadOnlyIndexDirectoryIsAnIndexErrorAndStaysSearchable) {
    TempDir work;
    Tmpfs disk(work.path() / "disk", 16);
    MOUNT_OR_SKIP(disk);
    const fs::path corpus = work.path() / "corpus", index = work.path() / "disk" / "index";
    write_corpus(corpus, 0, 50);
    auto first = run_indexer(index_args(index, corpus, 50), work.path());
    ASSERT_EQ(first->exit_code(), 0) << first->stderr_text();
    write_corpus(corpus, 50, 80);
    ASSERT_TRUE(disk.remount(true)) << std::strerror(errno);
    auto ro = run_indexer(index_args(index, corpus, 50), work.path());
    EXPECT_EQ(ro->exit_code(), news::kExitIndex) << ro->stderr_text();
    EXPECT_NE(ro->stderr_text().find("not writable"), std::string::npos) << ro->stderr_text();
    EXPECT_EQ(visible_articles(index), 50u);
    ASSERT_TRUE(disk.remount(false)) << std::strerror(errno);
    auto again = run_indexer(index_args(index, corpus, 50), work.path());
    EXPECT_EQ(again->exit_code(), 0) << again->stderr_text();
    EXPECT_EQ(visible_articles(index), 80u);
}

// An index directory that is a mount point (a volume of its own) cannot be swapped by a rename:
// --full rebuilds it in place, as before rebuilds went beside the index, and says so.
TEST(DiskFull, FullRebuildOfAMountPointIndexIsDoneInPlace) {
    TempDir work;
    const fs::path corpus = work.path() / "corpus", index = work.path() / "index";
    Tmpfs disk(index, 16);
    MOUNT_OR_SKIP(disk);
    write_corpus(corpus, 0, 60);
    auto first = run_indexer(index_args(index, corpus, 50), work.path());
    ASSERT_EQ(first->exit_code(), 0) << first->stderr_text();
    std::vector<std::string> args = index_args(index, corpus, 50, {"--full"});
    args.erase(std::find(args.begin(), args.end(), "-q"));
    auto rebuild = run_indexer(args, work.path());
    EXPECT_EQ(rebuild->exit_code(), 0) << rebuild->stderr_text();
    EXPECT_NE(rebuild->stderr_text().find("rebuilt in place"), std::string::npos)
        << rebuild->stderr_text();
    EXPECT_EQ(visible_articles(index), 60u);
    EXPECT_EQ(check_index(index), "");
}

// A --full rebuilt in place (the index directory is a mount point) cannot keep the old index:
// on a full disk it says what the index holds and to run --full again, exit 3.
TEST(DiskFull, FullRebuildInPlaceOnAFullDiskSaysToRunItAgain) {
    TempDir work;
    const fs::path corpus = work.path() / "corpus", index = work.path() / "index";
    Tmpfs disk(index, 8);
    MOUNT_OR_SKIP(disk);
    write_corpus(corpus, 0, 20);
    auto first = run_indexer(index_args(index, corpus, 50), work.path());
    ASSERT_EQ(first->exit_code(), 0) << first->stderr_text();
    write_corpus(corpus, 20, 600);
    const fs::path filler = fill_disk(index, 64 * 1024);
    auto rebuild = run_indexer(index_args(index, corpus, 50, {"--full"}), work.path());
    EXPECT_EQ(rebuild->exit_code(), news::kExitIndex) << rebuild->stderr_text();
    EXPECT_NE(rebuild->stderr_text().find("the disk is full; the index holds what the rebuild "
                                          "had committed: run indexer --full again"),
              std::string::npos)
        << rebuild->stderr_text();
    EXPECT_EQ(rebuild->stderr_text().find("as it was before the rebuild"), std::string::npos)
        << rebuild->stderr_text();
    fs::remove(filler);
    auto again = run_indexer(index_args(index, corpus, 50, {"--full"}), work.path());
    EXPECT_EQ(again->exit_code(), 0) << again->stderr_text();
    EXPECT_EQ(visible_articles(index), 600u);
}

}  // namespace
