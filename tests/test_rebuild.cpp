// Rebuilds without downtime: `indexer --full` over a live index builds beside it and swaps it
// in at the end, so searches during the rebuild answer from the whole old index (never fail,
// never see a half-built one); a killed, interrupted or failed rebuild leaves the old index as
// it was, and its leftovers go with the next run. The real `indexer` runs in child processes;
// searches run in-process, each on a freshly opened index as the `searcher` program does.
#include "rebuild.hpp"
#include "reliability_support.hpp"

using namespace news::test::reliability;

namespace {

// Where the indexer builds the new copy of `index` (indexer/rebuild.hpp).
fs::path staging_of(const fs::path& index) {
    return index.parent_path() / ("." + index.filename().string() + ".rebuild");
}

// A copy of the shared clean build to rebuild, in `dir`.
fs::path live_copy(const fs::path& dir) {
    const fs::path index = dir / "index";
    fs::copy(shared().clean, index, fs::copy_options::recursive);
    return index;
}

// Searches `index` in a loop while `child` runs; returns the failures (none expected) and
// counts the searches made while the staging directory existed.
std::vector<std::string> search_during(Child& child, const fs::path& index,
                                       std::size_t& during_rebuild) {
    std::vector<std::string> errors;
    during_rebuild = 0;
    while (!child.poll()) {
        const bool staging = fs::exists(staging_of(index));
        try {
            const uint64_t n = visible_articles(index);
            if (n != kCorpusSize)
                errors.push_back("a search saw " + std::to_string(n) + " articles, not " +
                                 std::to_string(kCorpusSize));
            if (staging) ++during_rebuild;
        } catch (const std::exception& e) {
            errors.push_back(std::string("a search failed: ") + e.what());
        } catch (const Xapian::Error& e) {
            errors.push_back("a search failed: " + e.get_description());
        }
        if (errors.size() > 10) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return errors;
}

void expect_no_failed_search_during(const std::vector<std::string>& extra, bool sharded) {
    const Shared& s = shared();
    TempDir work;
    const fs::path index = live_copy(work.path());
    auto rebuild = spawn_indexer(index_args(index, s.corpus, 100, extra), work.path());
    std::size_t during = 0;
    const auto errors = search_during(*rebuild, index, during);
    rebuild->wait();
    for (const auto& e : errors) ADD_FAILURE() << e;
    EXPECT_EQ(rebuild->exit_code(), 0) << rebuild->stderr_text();
    EXPECT_GE(during, 5u) << "too few searches ran during the rebuild for the test to mean much";
    EXPECT_FALSE(fs::exists(staging_of(index)));
    EXPECT_EQ(visible_articles(index), kCorpusSize);
    if (!sharded) {  // a single database, as the clean build
        EXPECT_EQ(check_index(index), "");
        expect_equals_clean(index);
    } else {
        EXPECT_TRUE(fs::exists(index / "XAPIANDB"));
    }
}

TEST(Rebuild, SearchesDuringFullRebuildNeverFailNorSeeAHalfBuiltIndex) {
    expect_no_failed_search_during({"--full"}, false);
}

TEST(Rebuild, SearchesDuringFullRebuildToShardsNeverFail) {
    expect_no_failed_search_during({"--full", "--shards", "3"}, true);
}

TEST(Rebuild, SearchesDuringFullCompactRebuildNeverFail) {
    expect_no_failed_search_during({"--full", "--compact"}, false);
}

// Another indexer must not write the index being replaced: it is refused as locked.
TEST(Rebuild, IndexerDuringRebuildIsRefused) {
    const Shared& s = shared();
    TempDir work;
    const fs::path index = live_copy(work.path());
    auto rebuild = spawn_indexer(index_args(index, s.corpus, 100, {"--full"}), work.path());
    ASSERT_TRUE(wait_until(*rebuild, [&] { return revision(staging_of(index)) > 0; }))
        << "the rebuild finished too soon: " << rebuild->stderr_text();
    auto other = run_indexer(index_args(index, s.corpus, 100), work.path());
    EXPECT_EQ(other->exit_code(), news::kExitIndex) << other->stderr_text();
    EXPECT_NE(other->stderr_text().find("locked"), std::string::npos) << other->stderr_text();
    rebuild->wait();
    EXPECT_EQ(rebuild->exit_code(), 0) << rebuild->stderr_text();
    expect_equals_clean(index);
}

// SIGKILL in the middle of a rebuild: the index is the old one, whole; the next run (here an
// incremental one, which finds nothing to do) removes the half-built copy.
TEST(Rebuild, KilledRebuildLeavesTheIndexAndTheNextRunCleansUp) {
    const Shared& s = shared();
    TempDir work;
    const fs::path index = live_copy(work.path());
    auto rebuild = spawn_indexer(index_args(index, s.corpus, 50, {"--full"}), work.path());
    ASSERT_TRUE(wait_until(*rebuild, [&] { return revision(staging_of(index)) > 1; }))
        << "the rebuild finished too soon: " << rebuild->stderr_text();
    ::kill(rebuild->pid, SIGKILL);
    rebuild->wait();
    ASSERT_TRUE(rebuild->killed_by(SIGKILL));
    ASSERT_TRUE(fs::exists(staging_of(index)));
    expect_equals_clean(index);

    auto next = run_indexer(index_args(index, s.corpus, 100), work.path());
    EXPECT_EQ(next->exit_code(), 0) << next->stderr_text();
    EXPECT_NE(next->stdout_text().find(std::to_string(kCorpusSize) + " unchanged, 0 added"),
              std::string::npos)
        << next->stdout_text();
    EXPECT_FALSE(fs::exists(staging_of(index))) << "the leftover of the killed rebuild";
    expect_equals_clean(index);
}

// A first build with --full and several writers is built beside the index too: SIGKILL leaves
// an empty index that searches answer (no articles, not an error), and the next run, an
// incremental one, builds it whole.
TEST(Rebuild, KilledFirstFullBuildLeavesAnEmptyIndexAndTheNextRunBuildsIt) {
    const Shared& s = shared();
    TempDir work;
    const fs::path index = work.path() / "first";
    auto build =
        spawn_indexer(index_args(index, s.corpus, 50, {"--full", "--writers", "2"}), work.path());
    ASSERT_TRUE(wait_until(*build, [&] { return revision(staging_of(index)) > 1; }))
        << "the build finished too soon: " << build->stderr_text();
    ::kill(build->pid, SIGKILL);
    build->wait();
    ASSERT_TRUE(build->killed_by(SIGKILL));
    EXPECT_EQ(visible_articles(index), 0u);

    auto next = run_indexer(index_args(index, s.corpus, 100), work.path());
    EXPECT_EQ(next->exit_code(), 0) << next->stderr_text();
    EXPECT_NE(next->stdout_text().find("0 unchanged, " + std::to_string(kCorpusSize) + " added"),
              std::string::npos)
        << next->stdout_text();
    EXPECT_FALSE(fs::exists(staging_of(index))) << "the leftover of the killed build";
    expect_equals_clean(index);
}

// SIGINT: exit 4, the old index kept as it was (a half-built one is not swapped in), the
// half-built copy removed, and a note saying so.
TEST(Rebuild, InterruptedRebuildExits4AndKeepsTheIndex) {
    const Shared& s = shared();
    TempDir work;
    const fs::path index = live_copy(work.path());
    std::vector<std::string> args = index_args(index, s.corpus, 50, {"--full"});
    args.erase(std::find(args.begin(), args.end(), "-q"));  // the note is printed without -q
    auto rebuild = spawn_indexer(args, work.path());
    ASSERT_TRUE(wait_until(*rebuild, [&] { return revision(staging_of(index)) > 1; }))
        << "the rebuild finished too soon: " << rebuild->stderr_text();
    ::kill(rebuild->pid, SIGINT);
    rebuild->wait();
    EXPECT_EQ(rebuild->exit_code(), news::kExitInterrupted) << rebuild->stderr_text();
    EXPECT_NE(rebuild->stderr_text().find("index is as it was"), std::string::npos)
        << rebuild->stderr_text();
    EXPECT_FALSE(fs::exists(staging_of(index)));
    expect_equals_clean(index);
}

// A rebuild that fails (here: an exception after its first commit) leaves the index as it
// was and removes its copy.
TEST(Rebuild, FailedRebuildKeepsTheIndexAndRemovesTheCopy) {
    const Shared& s = shared();
    TempDir work;
    const fs::path index = live_copy(work.path());
    news::IndexOptions o;
    o.index = index;
    o.inputs = {s.corpus};
    o.full = true;
    o.batch = 100;
    o.print_warnings = false;
    bool staged = false;
    o.after_commit = [&](std::size_t) {
        staged = fs::exists(staging_of(index)) && visible_articles(index) == kCorpusSize;
        throw std::runtime_error("injected failure");
    };
    EXPECT_THROW(news::run_index(o), std::runtime_error);
    EXPECT_TRUE(staged) << "the first commit went to the copy, the index stayed whole";
    EXPECT_FALSE(fs::exists(staging_of(index)));
    expect_equals_clean(index);
}

// Files beside the database in the index directory (this repository's index/README.md) are
// still there after a rebuild swapped the directory.
TEST(Rebuild, OtherFilesInTheIndexDirectoryAreKept) {
    const Shared& s = shared();
    TempDir work;
    const fs::path index = live_copy(work.path());
    std::ofstream(index / "README.md") << "what this directory is\n";
    auto rebuild = run_indexer(index_args(index, s.corpus, 5000, {"--full"}), work.path());
    EXPECT_EQ(rebuild->exit_code(), 0) << rebuild->stderr_text();
    EXPECT_EQ(read_text(index / "README.md"), "what this directory is\n");
    expect_equals_clean(index);
}

// The index path as people write it: through a symlink (the target directory is replaced, the
// link stays), with a trailing slash, and `--compact` alone keeps the directory's other files.
TEST(Rebuild, SymlinkedAndSlashedIndexPathsAndCompactKeepTheirDirectory) {
    const Shared& s = shared();
    TempDir work;
    const fs::path target = live_copy(work.path());
    const fs::path link = work.path() / "link";
    fs::create_directory_symlink(target, link);
    auto viaLink = run_indexer(index_args(link, s.corpus, 5000, {"--full"}), work.path());
    EXPECT_EQ(viaLink->exit_code(), 0) << viaLink->stderr_text();
    EXPECT_TRUE(fs::is_symlink(link));
    EXPECT_FALSE(fs::exists(work.path() / ".link.rebuild"));
    EXPECT_FALSE(fs::exists(work.path() / ".index.rebuild"));
    expect_equals_clean(target);

    const std::string slashed = target.string() + "/";
    auto slash = run_indexer(index_args(slashed, s.corpus, 5000, {"--full"}), work.path());
    EXPECT_EQ(slash->exit_code(), 0) << slash->stderr_text();
    expect_equals_clean(target);

    std::ofstream(target / "README.md") << "kept\n";
    auto compact = run_indexer(index_args(slashed, s.corpus, 5000, {"--compact"}), work.path());
    EXPECT_EQ(compact->exit_code(), 0) << compact->stderr_text();
    EXPECT_EQ(read_text(target / "README.md"), "kept\n");
    EXPECT_FALSE(fs::exists(target / ".compact-tmp"));
    expect_equals_clean(target);
}

// An indexer waiting (--wait) for the lock of an index that a --full run then replaces would get
// the old index's lock and write the new one unlocked: it stops instead, saying why, and a run
// after it finds the rebuilt index as it should be.
TEST(Rebuild, IndexerWaitingThroughARebuildStopsAndSaysWhy) {
    const Shared& s = shared();
    TempDir work;
    const fs::path index = live_copy(work.path());
    auto rebuild = spawn_indexer(index_args(index, s.corpus, 100, {"--full"}), work.path());
    ASSERT_TRUE(wait_until(*rebuild, [&] { return revision(staging_of(index)) > 0; }))
        << "the rebuild finished too soon: " << rebuild->stderr_text();
    auto waiting = spawn_indexer(index_args(index, s.corpus, 100, {"--wait"}), work.path());
    rebuild->wait();
    waiting->wait();
    EXPECT_EQ(rebuild->exit_code(), 0) << rebuild->stderr_text();
    EXPECT_EQ(waiting->exit_code(), news::kExitIndex) << waiting->stderr_text();
    EXPECT_NE(waiting->stderr_text().find("was replaced by a rebuild"), std::string::npos)
        << waiting->stderr_text();
    auto after = run_indexer(index_args(index, s.corpus, 100), work.path());
    EXPECT_EQ(after->exit_code(), 0) << after->stderr_text();
    EXPECT_NE(after->stdout_text().find(std::to_string(kCorpusSize) + " unchanged, 0 added"),
              std::string::npos)
        << after->stdout_text();
    EXPECT_EQ(check_index(index), "");
}

}  // namespace

// The copy a rebuild writes without a sync per commit is synced once before the swap: every
// file and directory under it; a path that cannot be synced is named.
TEST(Rebuild, SyncTreeSyncsACopyAndNamesWhatItCannotSync) {
    news::test::TempDir dir;
    const fs::path copy = dir.path() / "copy";
    dir.write("copy/shard-0/postlist.glass", "x");
    dir.write("copy/iamglass", "y");
    EXPECT_EQ(news::sync_tree(copy), 4u) << "two files and two directories";
    try {
        news::sync_tree(dir.path() / "gone");
        ADD_FAILURE() << "a missing directory was synced";
    } catch (const news::IndexError& e) {
        EXPECT_NE(std::string(e.what()).find("gone"), std::string::npos) << e.what();
    }
}
