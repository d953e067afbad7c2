// Store-level tests of the indexing engine on fixture corpora written into temp dirs.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <set>
#include <thread>

#include "document.hpp"
#include "engine.hpp"
#include "errors.hpp"
#include "schema.hpp"
#include "shard_writers.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using news::test::article;
using news::test::fingerprint;
using news::test::fingerprint_diff;
using news::test::TempDir;

namespace {

std::string related_block(const std::vector<std::pair<std::string, std::string>>& items) {
    std::string s = "related:\n";
    for (const auto& [title, url] : items) {
        s +=
            "  - title: \"" + title + "\"\n    excerpt: \"About " + title +
            "\"\n    publishedDateTime: 2021-02-02T10:00:00Z\n    webUrl: \"" + url +
            "\"\n    type: article\n    provider:\n      name: Example\n      domain: example.com\n"
            "    quality: 40\n";
    }
    return s;
}

struct Fixture {
    TempDir dir;
    fs::path corpus() const { return dir.path() / "corpus"; }
    fs::path index() const { return dir.path() / "index"; }

    news::IndexStats index_run(std::function<void(news::IndexOptions&)> tweak = {}) const {
        news::IndexOptions o;
        o.index = index();
        o.inputs = {corpus()};
        o.jobs = 2;
        o.print_warnings = false;
        if (tweak) tweak(o);
        return news::run_index(o);
    }
    void write(const std::string& rel, const std::string& content) const {
        dir.write("corpus/" + rel, content);
    }
    // Bumps the mtime so the change is seen even within one clock tick.
    void touch_later(const std::string& rel, int seconds) const {
        const fs::path p = corpus() / rel;
        fs::last_write_time(p, fs::last_write_time(p) + std::chrono::seconds(seconds));
    }
};

std::set<std::string> ids(const fs::path& index, bool stubs) {
    Xapian::Database db(index.string());
    std::set<std::string> out;
    for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
        const auto d = news::read_data(db.get_document(*it));
        if (d.value("stub", false) == stubs) out.insert(d.value("id", ""));
    }
    return out;
}

Xapian::doccount inlinks(const fs::path& index, const std::string& id) {
    Xapian::Database db(index.string());
    return db.get_termfreq(news::bool_term(news::FieldId::Links, id));
}

}  // namespace

TEST(Indexer, AddUnchangedUpdateDeletePrune) {
    Fixture f;
    f.write("a.md", article("Alpha aardvark", "https://ex.com/a"));
    f.write("b.md", article("Beta badger", "https://ex.com/b"));
    auto s = f.index_run();
    EXPECT_EQ(s.files_seen, 2u);
    EXPECT_EQ(s.added, 2u);
    EXPECT_EQ(s.rejected, 0u);
    EXPECT_EQ(ids(f.index(), false),
              (std::set<std::string>{"https://ex.com/a", "https://ex.com/b"}));

    s = f.index_run();
    EXPECT_EQ(s.unchanged, 2u);
    EXPECT_EQ(s.added + s.updated, 0u);

    f.write("a.md", article("Alpha anteater", "https://ex.com/a"));
    f.touch_later("a.md", 5);
    s = f.index_run();
    EXPECT_EQ(s.updated, 1u);
    EXPECT_EQ(s.unchanged, 1u);
    {
        Xapian::Database db(f.index().string());
        EXPECT_EQ(db.get_termfreq("anteat"), 0u);  // stemmed terms are Z-prefixed
        EXPECT_EQ(db.get_termfreq("Zanteat"), 1u);
        EXPECT_EQ(db.get_termfreq("Zaardvark"), 0u);
    }

    fs::remove(f.corpus() / "b.md");
    s = f.index_run([](auto& o) { o.prune = false; });  // --no-prune: nothing is deleted
    EXPECT_EQ(s.deleted, 0u);
    EXPECT_EQ(ids(f.index(), false).size(), 2u);
    s = f.index_run();  // pruning is the default
    EXPECT_EQ(s.deleted, 1u);
    EXPECT_EQ(ids(f.index(), false), (std::set<std::string>{"https://ex.com/a"}));
}

TEST(Indexer, TouchedButSameContentIsNotReindexed) {
    Fixture f;
    f.write("a.md", article("Alpha", "https://ex.com/a"));
    f.index_run();
    f.touch_later("a.md", 10);
    auto s = f.index_run();
    EXPECT_EQ(s.unchanged, 1u);
    EXPECT_EQ(s.updated, 0u);
    s = f.index_run();  // and the new mtime was remembered
    EXPECT_EQ(s.unchanged, 1u);
}

TEST(Indexer, IdChangeRemovesOldDocument) {
    Fixture f;
    f.write("a.md", article("Alpha", "https://ex.com/old"));
    f.index_run();
    f.write("a.md", article("Alpha", "https://ex.com/new"));
    f.touch_later("a.md", 5);
    auto s = f.index_run();
    EXPECT_EQ(s.updated, 1u);
    EXPECT_EQ(ids(f.index(), false), (std::set<std::string>{"https://ex.com/new"}));
}

TEST(Indexer, DuplicateIdsNewerFileWins) {
    Fixture f;
    f.write("a.md", article("Older copy", "https://ex.com/same"));
    f.write("b.md", article("Newer copy", "https://ex.com/same"));
    f.touch_later("b.md", 60);
    auto s = f.index_run();
    EXPECT_EQ(s.duplicates, 1u);
    ASSERT_EQ(s.notes.size(), 1u);
    EXPECT_NE(s.notes[0].find("duplicate id https://ex.com/same"), std::string::npos);
    Xapian::Database db(f.index().string());
    EXPECT_EQ(db.get_doccount(), 1u);
    EXPECT_EQ(
        news::read_data(db.get_document(*news::find_docid(db, "https://ex.com/same")))["title"],
        "Newer copy");

    // The winner disappears: the other file takes the id over.
    fs::remove(f.corpus() / "b.md");
    s = f.index_run([](auto& o) { o.prune = true; });
    Xapian::Database db2(f.index().string());
    ASSERT_TRUE(news::find_docid(db2, "https://ex.com/same"));
    EXPECT_EQ(
        news::read_data(db2.get_document(*news::find_docid(db2, "https://ex.com/same")))["title"],
        "Older copy");
}

// The file holding a duplicated id is rewritten and is now older than the other file with that
// id: the other file takes the id over, as a --full run would decide.
TEST(Indexer, DuplicateIdOwnerRewrittenOlderLosesTheId) {
    Fixture f;
    f.write("a.md", article("Copy A", "https://ex.com/same"));
    f.write("b.md", article("Copy B", "https://ex.com/same"));
    f.touch_later("b.md", 60);
    f.index_run();
    auto title = [&](const fs::path& index) {
        Xapian::Database db(index.string());
        return news::read_data(db.get_document(*news::find_docid(db, "https://ex.com/same")))
            .value("title", "");
    };
    ASSERT_EQ(title(f.index()), "Copy B");

    // b.md changes, but its new mtime is older than a.md's.
    f.write("b.md", article("Copy B, edited", "https://ex.com/same"));
    const fs::path a = f.corpus() / "a.md", b = f.corpus() / "b.md";
    fs::last_write_time(b, fs::last_write_time(a) - std::chrono::seconds(60));
    const auto s = f.index_run();
    EXPECT_EQ(title(f.index()), "Copy A");
    EXPECT_EQ(s.duplicates, 1u);
    bool noted = false;
    for (const auto& n : s.notes) noted = noted || n.find("kept the newer") != std::string::npos;
    EXPECT_TRUE(noted);
    Xapian::Database db(f.index().string());
    EXPECT_EQ(db.get_doccount(), 1u);

    // A --full run decides the same.
    const fs::path index2 = f.dir.path() / "index2";
    f.index_run([&](auto& o) {
        o.index = index2;
        o.full = true;
    });
    EXPECT_EQ(title(index2), "Copy A");

    // And a no-change re-run keeps it.
    f.index_run();
    EXPECT_EQ(title(f.index()), "Copy A");
}

TEST(Indexer, StubLifecycle) {
    Fixture f;
    f.write("a.md", article("Alpha", "https://ex.com/a",
                            related_block({{"Gamma story", "https://ex.com/g"}})));
    auto s = f.index_run();
    EXPECT_EQ(s.stubs_added, 1u);
    EXPECT_EQ(ids(f.index(), true), (std::set<std::string>{"https://ex.com/g"}));
    EXPECT_EQ(inlinks(f.index(), "https://ex.com/g"), 1u);
    // A stub is a story of its own: its story value is its own id key.
    auto story_of_g = [&] {
        Xapian::Database db(f.index().string());
        return db.get_document(*news::find_docid(db, "https://ex.com/g"))
            .get_value(news::kSlotStory);
    };
    EXPECT_EQ(story_of_g(), news::id_key("https://ex.com/g"));

    // The full article arrives and replaces its stub.
    f.write("g.md", article("Gamma full", "https://ex.com/g"));
    f.index_run();
    EXPECT_TRUE(ids(f.index(), true).empty());
    EXPECT_EQ(ids(f.index(), false).count("https://ex.com/g"), 1u);
    EXPECT_EQ(inlinks(f.index(), "https://ex.com/g"), 1u);

    // The full article is deleted while `a` still lists it: it becomes a stub again.
    fs::remove(f.corpus() / "g.md");
    f.index_run([](auto& o) { o.prune = true; });
    EXPECT_EQ(ids(f.index(), true), (std::set<std::string>{"https://ex.com/g"}));
    {
        Xapian::Database db(f.index().string());
        EXPECT_EQ(
            news::read_data(db.get_document(*news::find_docid(db, "https://ex.com/g")))["title"],
            "Gamma story");
    }
    // The same as a stub written as one (an incremental run equals a fresh build).
    EXPECT_EQ(story_of_g(), news::id_key("https://ex.com/g"));

    // The last article mentioning the stub is deleted: the stub goes too.
    fs::remove(f.corpus() / "a.md");
    s = f.index_run([](auto& o) { o.prune_empty_inputs = true; });  // the corpus is empty now
    EXPECT_EQ(s.stubs_removed, 1u);
    Xapian::Database db(f.index().string());
    EXPECT_EQ(db.get_doccount(), 0u);
}

TEST(Indexer, StubNeverOverwritesFullArticle) {
    Fixture f;
    f.write("a.md", article("Alpha full", "https://ex.com/a"));
    f.write("b.md", article("Beta", "https://ex.com/b",
                            related_block({{"Alpha as seen by b", "https://ex.com/a"}})));
    f.index_run();
    Xapian::Database db(f.index().string());
    EXPECT_EQ(news::read_data(db.get_document(*news::find_docid(db, "https://ex.com/a")))["title"],
              "Alpha full");
    EXPECT_TRUE(ids(f.index(), true).empty());
}

TEST(Indexer, InlinksFollowUpdates) {
    Fixture f;
    f.write("a.md", article("A", "https://ex.com/a", related_block({{"T", "https://ex.com/t"}})));
    f.write("b.md", article("B", "https://ex.com/b", related_block({{"T", "https://ex.com/t"}})));
    f.write("t.md", article("T", "https://ex.com/t"));
    f.index_run();
    EXPECT_EQ(inlinks(f.index(), "https://ex.com/t"), 2u);
    f.write("b.md", article("B", "https://ex.com/b"));
    f.touch_later("b.md", 5);
    f.index_run();
    EXPECT_EQ(inlinks(f.index(), "https://ex.com/t"), 1u);
    f.write("b.md", article("B", "https://ex.com/b", related_block({{"T", "https://ex.com/t"}})));
    f.touch_later("b.md", 10);
    f.index_run();
    EXPECT_EQ(inlinks(f.index(), "https://ex.com/t"), 2u);
}

TEST(Indexer, RejectedFileKeepsOldDocumentAndIsReported) {
    Fixture f;
    f.write("a.md", article("Alpha", "https://ex.com/a"));
    f.write("b.md", article("Beta", "https://ex.com/b"));
    f.index_run();
    f.write("a.md", "---\ntitle: [unclosed\n---\n");
    f.touch_later("a.md", 5);
    f.write("c.md", "no front matter here\n");
    auto s = f.index_run();
    EXPECT_EQ(s.rejected, 2u);
    ASSERT_EQ(s.rejections.size(), 2u);
    EXPECT_NE(s.rejections[0].file.find("a.md"), std::string::npos);
    EXPECT_NE(s.rejections[1].file.find("c.md"), std::string::npos);
    EXPECT_NE(s.rejections[1].reason.find("no front matter"), std::string::npos);
    EXPECT_EQ(ids(f.index(), false),
              (std::set<std::string>{"https://ex.com/a", "https://ex.com/b"}));
    // Next time, unchanged, they are not read again but still listed as rejected, with their
    // errors (not silently marked as done); the old document of a.md stays.
    s = f.index_run();
    EXPECT_EQ(s.rejected, 0u);
    ASSERT_EQ(s.still_rejected.size(), 2u);
    EXPECT_NE(s.still_rejected[0].file.find("a.md"), std::string::npos);
    EXPECT_NE(s.still_rejected[1].reason.find("no front matter"), std::string::npos);
    EXPECT_EQ(ids(f.index(), false),
              (std::set<std::string>{"https://ex.com/a", "https://ex.com/b"}));
    // --retry-rejected reads them again.
    s = f.index_run([](news::IndexOptions& o) { o.retry_rejected = true; });
    EXPECT_EQ(s.rejected, 2u);
    EXPECT_TRUE(s.still_rejected.empty());
}

// Only what is wrong with a file's content is remembered as rejected: a file over
// --max-file-size (or one that cannot be read) is read again next time, since a larger limit
// or a chmod changes the outcome without changing the file.
TEST(Indexer, ReadErrorsAndLimitsAreNotRememberedAsRejected) {
    Fixture f;
    f.write("a.md", article("Alpha", "https://ex.com/a"));
    f.write("big.md", article("Big", "https://ex.com/big") + std::string(4000, 'x') + "\n");
    auto small = [](news::IndexOptions& o) { o.parse.max_file_bytes = 2000; };
    auto s = f.index_run(small);
    EXPECT_EQ(s.rejected, 1u);
    s = f.index_run(small);
    EXPECT_EQ(s.rejected, 1u) << "read again";
    EXPECT_TRUE(s.still_rejected.empty());
    s = f.index_run();  // the default limit: indexed
    EXPECT_EQ(s.rejected, 0u);
    EXPECT_EQ(s.added, 1u);
}

// An index inside the corpus is not walked: its files are neither articles nor "skipped"
// (the index is opened while the inputs are walked, so counting them would depend on timing).
TEST(Indexer, IndexInsideTheCorpusIsNotWalked) {
    Fixture f;
    f.write("a.md", article("Alpha", "https://ex.com/a"));
    f.write("b.md", article("Beta", "https://ex.com/b"));
    auto inside = [&](news::IndexOptions& o) { o.index = f.corpus() / "idx/"; };
    auto s = f.index_run(inside);
    EXPECT_EQ(s.added, 2u);
    EXPECT_EQ(s.skipped, 0u);
    s = f.index_run(inside);
    EXPECT_EQ(s.unchanged, 2u);
    EXPECT_EQ(s.skipped, 0u) << "the index's own files";
    EXPECT_EQ(s.files_seen, 2u);
}

TEST(Indexer, SchemaVersionMismatchIsRefused) {
    Fixture f;
    f.write("a.md", article("Alpha", "https://ex.com/a"));
    f.index_run();
    {
        Xapian::WritableDatabase db(f.index().string());
        db.set_metadata(news::kMetaSchemaVersion, "999");
        db.commit();
    }
    try {
        f.index_run();
        FAIL() << "expected IndexError";
    } catch (const news::IndexError& e) {
        EXPECT_NE(std::string(e.what()).find("--full"), std::string::npos);
        EXPECT_EQ(e.exit_code(), news::kExitIndex);
    }
    auto s = f.index_run([](auto& o) { o.full = true; });
    EXPECT_EQ(s.added, 1u);
}

TEST(Indexer, LockedIndexGivesIndexError) {
    Fixture f;
    f.write("a.md", article("Alpha", "https://ex.com/a"));
    f.index_run();
    Xapian::WritableDatabase holder(f.index().string(), Xapian::DB_OPEN);
    try {
        f.index_run();
        FAIL() << "expected IndexError";
    } catch (const news::IndexError& e) {
        EXPECT_NE(std::string(e.what()).find("locked"), std::string::npos);
    }
}

TEST(Indexer, ThreadCountAndHistoryDoNotChangeTheIndex) {
    Fixture f;
    for (int i = 0; i < 40; ++i) {
        const std::string n = std::to_string(i), next = std::to_string((i + 1) % 45);
        std::string rel =
            std::string("d").append(std::to_string(i % 3)).append("/a").append(n).append(".md");
        f.write(rel,
                article(std::string("Story number ")
                            .append(n)
                            .append(" about topic")
                            .append(std::to_string(i % 5)),
                        std::string("https://ex.com/").append(n),
                        related_block(
                            {{std::string("Linked ").append(next),
                              std::string("https://ex.com/").append(next)},
                             {std::string("Outside ").append(n),
                              std::string("https://other.com/").append(std::to_string(i % 7))}})));
    }
    TempDir other;
    auto run_into = [&](const fs::path& idx, unsigned jobs) {
        news::IndexOptions o;
        o.index = idx;
        o.inputs = {f.corpus()};
        o.jobs = jobs;
        o.print_warnings = false;
        return news::run_index(o);
    };
    run_into(other.path() / "j1", 1);
    run_into(other.path() / "j2", 2);
    // Incremental: first one folder, then everything.
    news::IndexOptions o;
    o.index = other.path() / "inc";
    o.inputs = {f.corpus() / "d1"};
    o.jobs = 2;
    o.print_warnings = false;
    news::run_index(o);
    run_into(other.path() / "inc", 2);
    const auto j1 = fingerprint(other.path() / "j1");
    EXPECT_EQ(j1.size(), 40u + 8u);  // 40 articles; stubs: other.com/0..6 and ex.com/40
    for (const auto& [id, doc] : j1) EXPECT_FALSE(doc.values.empty()) << "no value slots: " << id;
    const auto j2 = fingerprint(other.path() / "j2");
    EXPECT_TRUE(j1 == j2) << fingerprint_diff(j1, j2);
    // Incremental runs index d1 files relative to d1 first; ids are URLs so documents agree,
    // except "path", which is relative to the root the file was indexed under.
    const auto j1_nopath = fingerprint(other.path() / "j1", {"path"});
    const auto inc = fingerprint(other.path() / "inc", {"path"});
    EXPECT_EQ(inc.size(), j1.size());
    EXPECT_TRUE(inc == j1_nopath) << fingerprint_diff(inc, j1_nopath);
}

// --full with several writer threads (each writing internal shards, merged at the end) builds
// the same index as one writer and as an incremental build: the same documents, stubs, stories
// and duplicate resolution, the spelling table, a file table that makes the next run find
// nothing to do, and one whole index (no shards left behind).
TEST(Indexer, WriterCountDoesNotChangeTheIndex) {
    Fixture f;
    for (int i = 0; i < 60; ++i) {
        const std::string n = std::to_string(i), next = std::to_string((i + 7) % 67);
        // Stories: three articles per event (i / 3), told with nearly the same title.
        const std::string title = std::string("Harbour crane collapse number ")
                                      .append(std::to_string(i / 3))
                                      .append(i % 3 ? " reported" : " confirmed");
        f.write(std::string("d").append(std::to_string(i % 4)).append("/a").append(n).append(".md"),
                article(title, std::string("https://ex.com/").append(n),
                        related_block({{std::string("Linked ").append(next),
                                        std::string("https://ex.com/").append(next)}})));
    }
    // Three files with one id (a5.md too): the newest holds it, whichever writer got the others.
    f.write("d0/dup-old.md", article("Old copy of story five", "https://ex.com/5"));
    f.touch_later("d0/dup-old.md", -100);
    f.write("d3/dup-new.md", article("New copy of story five", "https://ex.com/5"));
    f.touch_later("d3/dup-new.md", 100);
    TempDir other;
    auto build = [&](const std::string& name, unsigned writers, bool full) {
        news::IndexOptions o;
        o.index = other.path() / name;
        o.inputs = {f.corpus()};
        o.jobs = 2;
        o.writers = writers;
        o.full = full;
        o.batch = 7;
        o.print_warnings = false;
        return news::run_index(o);
    };
    build("inc", 1, false);
    const auto want = fingerprint(other.path() / "inc");
    EXPECT_EQ(want.size(), 60u + 7u);  // 60 ids (one held three times), stubs ex.com/60..66
    EXPECT_NE(want.at("https://ex.com/5").data.find("New copy"), std::string::npos);
    // Stories span batches (an event's three articles are in three folders).
    const std::string xs(news::field(news::FieldId::StoryTerm).prefix);
    std::size_t in_stories = 0;
    for (const auto& [id, doc] : want) {
        in_stories += std::any_of(doc.terms.begin(), doc.terms.end(),
                                  [&](const auto& t) { return t.first.starts_with(xs); });
    }
    EXPECT_GE(in_stories, 30u);
    // The spelling table too (the writers' shards are merged; all spelling goes to the first).
    auto spellings = [](const fs::path& idx) {
        std::map<std::string, Xapian::doccount> out;
        const Xapian::Database db(idx.string());
        for (auto t = db.spellings_begin(); t != db.spellings_end(); ++t)
            out[*t] = t.get_termfreq();
        return out;
    };
    const auto want_spelling = spellings(other.path() / "inc");
    EXPECT_GT(want_spelling.size(), 10u);
    for (unsigned w : {1u, 2u, 3u}) {
        const std::string name = std::string("w").append(std::to_string(w));
        const auto s = build(name, w, true);
        EXPECT_EQ(s.added, 60u) << name;
        EXPECT_EQ(s.duplicates, 2u) << name;  // a5.md and dup-old.md lose to dup-new.md
        const fs::path idx = other.path() / name;
        EXPECT_FALSE(fs::exists(idx / "shard-0")) << name;
        EXPECT_TRUE(fs::exists(idx / "iamglass")) << name;
        EXPECT_EQ(Xapian::Database(idx.string()).get_metadata("news:shard"), "") << name;
        const auto got = fingerprint(idx);
        EXPECT_TRUE(got == want) << name << ": " << fingerprint_diff(got, want);
        EXPECT_EQ(spellings(idx), want_spelling) << name;
        news::IndexOptions again;
        again.index = idx;
        again.inputs = {f.corpus()};
        again.print_warnings = false;
        const auto next = news::run_index(again);
        EXPECT_EQ(next.unchanged, 62u) << name;
        EXPECT_EQ(next.added + next.updated + next.deleted, 0u) << name;
        // And again over the existing index (built beside it, swapped in).
        build(name, w, true);
        const auto rebuilt = fingerprint(idx);
        EXPECT_TRUE(rebuilt == want) << name << " rebuilt: " << fingerprint_diff(rebuilt, want);
    }
}

// An edit queued to a writer thread is made on that shard after the documents queued before
// it, and one that fails (no such document) is rethrown by the next sync().
TEST(ShardWriters, EditsFollowTheirShardsQueueAndFailuresAreRethrown) {
    TempDir dir;
    std::vector<Xapian::WritableDatabase> dbs;
    for (const char* name : {"s0", "s1"})
        dbs.emplace_back((dir.path() / name).string(), Xapian::DB_CREATE);
    news::ShardWriters writers(dbs);
    for (Xapian::docid d = 1; d <= 50; ++d) {
        Xapian::Document doc;
        doc.add_boolean_term("Qa" + std::to_string(d));
        writers.add(d % 2, d, std::move(doc));
        writers.edit(d % 2, [d](Xapian::WritableDatabase& w) {
            Xapian::Document got = w.get_document(d);  // written before this edit
            got.add_value(3, "story" + std::to_string(d));
            got.add_boolean_term("XSx");
            w.replace_document(d, got);
        });
    }
    writers.sync();
    for (Xapian::docid d = 1; d <= 50; ++d) {
        const Xapian::Document doc = dbs[d % 2].get_document(d);
        EXPECT_EQ(doc.get_value(3), "story" + std::to_string(d));
        EXPECT_EQ(doc.termlist_count(), 2u);
    }
    writers.edit(1, [](Xapian::WritableDatabase& w) { (void)w.get_document(999); });
    EXPECT_THROW(writers.sync(), Xapian::DocNotFoundError);
    EXPECT_THROW(writers.edit(0, [](Xapian::WritableDatabase&) {}), Xapian::DocNotFoundError);
}

// With a queue of 2 jobs per shard, the caller waits for room over and over (a writer takes
// everything queued at once): every document still lands in its shard at its docid, and a
// commit queued behind them sees them all.
TEST(ShardWriters, FullQueuesWaitAndLoseNothing) {
    TempDir dir;
    std::vector<Xapian::WritableDatabase> dbs;
    for (const char* name : {"s0", "s1", "s2"})
        dbs.emplace_back((dir.path() / name).string(), Xapian::DB_CREATE);
    news::ShardWriters writers(dbs, 2);
    constexpr Xapian::docid kDocs = 3000;
    for (Xapian::docid d = 1; d <= kDocs; ++d) {
        Xapian::Document doc;
        doc.add_boolean_term("Qa" + std::to_string(d));
        doc.set_data(std::to_string(d));
        writers.add((d - 1) % 3, (d - 1) / 3 + 1, std::move(doc));
    }
    writers.commit();
    for (unsigned s = 0; s < 3; ++s) {
        const Xapian::Database db((dir.path() / ("s" + std::to_string(s))).string());
        ASSERT_EQ(db.get_doccount(), kDocs / 3) << s;
        for (Xapian::docid local = 1; local <= kDocs / 3; ++local)
            ASSERT_EQ(db.get_document(local).get_data(), std::to_string((local - 1) * 3 + s + 1));
    }
}

// A caller blocks while a lane holds `queue` jobs its writer has not taken (the writer is held
// inside an edit), goes on once the writer takes them, and a writer's failure reaches a caller
// blocked for room. (A lost wake-up would show as a timeout here, not a hang.)
TEST(ShardWriters, AFullLaneBlocksItsCallerUntilTakenAndFailuresReachIt) {
    using namespace std::chrono_literals;
    TempDir dir;
    std::vector<Xapian::WritableDatabase> dbs;
    dbs.emplace_back((dir.path() / "s0").string(), Xapian::DB_CREATE);
    news::ShardWriters writers(dbs, 2);
    auto doc = [](Xapian::docid d) {
        Xapian::Document x;
        x.set_data(std::to_string(d));
        return x;
    };
    std::promise<void> release, entered;
    std::shared_future<void> released = release.get_future().share();
    writers.edit(0, [&](Xapian::WritableDatabase&) {
        entered.set_value();
        released.wait();
    });
    ASSERT_EQ(entered.get_future().wait_for(10s), std::future_status::ready);
    writers.add(0, 1, doc(1));  // the lane: 2 jobs, none taken
    writers.add(0, 2, doc(2));
    auto third = std::async(std::launch::async, [&] { writers.add(0, 3, doc(3)); });
    EXPECT_EQ(third.wait_for(200ms), std::future_status::timeout) << "a full lane must block";
    release.set_value();
    ASSERT_EQ(third.wait_for(10s), std::future_status::ready);
    third.get();
    writers.sync();
    EXPECT_EQ(dbs[0].get_document(3).get_data(), "3");

    // Held again; this time the held edit fails while a caller waits for room.
    std::promise<void> release2, entered2;
    std::shared_future<void> released2 = release2.get_future().share();
    writers.edit(0, [&](Xapian::WritableDatabase& w) {
        entered2.set_value();
        released2.wait();
        (void)w.get_document(999);  // no such document
    });
    ASSERT_EQ(entered2.get_future().wait_for(10s), std::future_status::ready);
    writers.add(0, 4, doc(4));
    writers.add(0, 5, doc(5));
    auto blocked = std::async(std::launch::async, [&] { writers.add(0, 6, doc(6)); });
    EXPECT_EQ(blocked.wait_for(200ms), std::future_status::timeout);
    release2.set_value();
    ASSERT_EQ(blocked.wait_for(10s), std::future_status::ready);
    EXPECT_THROW(blocked.get(), Xapian::DocNotFoundError);
    EXPECT_THROW(writers.sync(), Xapian::DocNotFoundError);
}

TEST(Indexer, InterruptedRunThenRerunEqualsCleanRun) {
    Fixture f;
    for (int i = 0; i < 60; ++i) {
        const std::string n = std::to_string(i);
        f.write(std::string("a").append(std::to_string(100 + i)).append(".md"),
                article(std::string("Item ").append(n), std::string("https://ex.com/").append(n)));
    }
    std::atomic<bool> stop{false};
    auto s = f.index_run([&](auto& o) {
        o.batch = 10;
        o.jobs = 1;
        o.stop = &stop;
        o.after_commit = [&](std::size_t n) {
            if (n >= 20) stop = true;
        };
    });
    EXPECT_TRUE(s.interrupted);
    const auto partial = ids(f.index(), false).size();
    EXPECT_GE(partial, 20u);
    EXPECT_LT(partial, 60u);
    s = f.index_run();
    EXPECT_FALSE(s.interrupted);
    EXPECT_EQ(s.added, 60u - partial);
    EXPECT_EQ(s.unchanged, partial);
    TempDir clean;
    news::IndexOptions o;
    o.index = clean.path() / "idx";
    o.inputs = {f.corpus()};
    o.print_warnings = false;
    news::run_index(o);
    const auto a = fingerprint(f.index()), b = fingerprint(clean.path() / "idx");
    EXPECT_EQ(a.size(), 60u);
    EXPECT_TRUE(a == b) << fingerprint_diff(a, b);
}

TEST(Indexer, DryRunWritesNothing) {
    Fixture f;
    f.write("a.md", article("Alpha", "https://ex.com/a"));
    f.write("bad.md", "---\n- a list\n---\n");
    auto s = f.index_run([](auto& o) { o.dry_run = true; });
    EXPECT_EQ(s.added, 1u);
    EXPECT_EQ(s.rejected, 1u);
    EXPECT_FALSE(fs::exists(f.index()));
}

TEST(Indexer, WalkerSkipsHiddenAndUnknownTypesAndSurvivesSymlinkLoops) {
    Fixture f;
    f.write("a.md", article("Alpha", "https://ex.com/a"));
    f.write(".hidden/b.md", article("Beta", "https://ex.com/b"));
    f.write("notes.png", "binary");
    fs::create_directory_symlink(f.corpus(), f.corpus() / "loop");
    fs::create_symlink(f.corpus() / "missing.md", f.corpus() / "broken.md");
    auto s = f.index_run();
    EXPECT_EQ(s.added, 1u);
    EXPECT_EQ(s.skipped, 2u);
    EXPECT_EQ(s.rejected, 1u);  // the broken symlink, named
    ASSERT_FALSE(s.rejections.empty());
    EXPECT_NE(s.rejections[0].file.find("broken.md"), std::string::npos);
}

TEST(Indexer, CompactKeepsTheSameDocuments) {
    Fixture f;
    for (int i = 0; i < 30; ++i) {
        const std::string n = std::to_string(i);
        f.write(std::string("a").append(n).append(".md"),
                article(std::string("Compact item ").append(n),
                        std::string("https://ex.com/c").append(n)));
    }
    f.index_run();
    const auto before = fingerprint(f.index());
    auto s = f.index_run([](auto& o) {
        o.full = true;
        o.compact = true;
    });
    EXPECT_EQ(s.added, 30u);
    const auto after = fingerprint(f.index());
    EXPECT_TRUE(after == before) << fingerprint_diff(after, before);
    EXPECT_FALSE(fs::exists(f.index().string() + ".compact-tmp"));
    EXPECT_FALSE(fs::exists(f.index().string() + ".compact-old"));
    s = f.index_run();  // and it is still a writable, incremental index
    EXPECT_EQ(s.unchanged, 30u);
}
