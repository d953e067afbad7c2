// End-to-end tests of the indexer binary: summary line, report, timings, exit codes.
#include <gtest/gtest.h>
#include <xapian.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "e2e_fixtures.hpp"
#include "schema.hpp"

using namespace news::test::e2e;

namespace {

// ---- indexer on the sample corpus ----------------------------------------------------------

TEST_F(E2eSample, IndexerSummaryLineCountsEveryFile) {
    const Summary s = parse_summary(first_->out);
    ASSERT_TRUE(s.parsed) << first_->out;
    EXPECT_EQ(s.mode, "indexed");
    EXPECT_EQ(s.n.at("seen"), 48);
    EXPECT_EQ(s.n.at("unchanged"), 0);
    EXPECT_EQ(s.n.at("added"), 48);
    EXPECT_EQ(s.n.at("updated"), 0);
    EXPECT_EQ(s.n.at("deleted"), 0);
    EXPECT_EQ(s.n.at("duplicates"), 0);
    EXPECT_EQ(s.n.at("rejected"), 0);
    EXPECT_EQ(s.n.at("skipped"), 0);
    EXPECT_EQ(s.n.at("stubs_added"), 6) << "6 URLs outside the corpus are listed as related";
    EXPECT_EQ(s.n.at("stubs_removed"), 0);
    EXPECT_FALSE(contains(first_->err, "error:")) << first_->err;
}

// After a fresh run, "stubs added" - "stubs removed" is the number of stubs in the index (stubs
// replaced by the full article during the same run are not counted).
TEST_F(E2eSample, IndexerSummaryStubCountsMatchTheIndex) {
    const Summary s = parse_summary(first_->out);
    ASSERT_TRUE(s.parsed) << first_->out;
    const Output o = searcher({"stats", "--index", index(), "--format", "json"});
    ASSERT_EQ(o.rc, 0) << describe(o);
    const json st = json::parse(o.out);
    EXPECT_EQ(s.n.at("stubs_added") - s.n.at("stubs_removed"), st["stubs"].get<long>());
}

TEST_F(E2eSample, IndexerReportIsCleanForTheSampleCorpus) {
    const json rep = json::parse(read_text(report()));
    EXPECT_EQ(rep["version"], 1);
    EXPECT_EQ(keys_of(rep), (std::set<std::string>{"version", "rejected", "still_rejected",
                                                   "warnings", "notes"}));
    EXPECT_TRUE(rep["rejected"].is_array());
    EXPECT_TRUE(rep["rejected"].empty()) << rep.dump(2);
    EXPECT_TRUE(rep["warnings"].is_array());
    EXPECT_TRUE(rep["notes"].is_array());
}

TEST_F(E2eSample, IndexerRerunReportsAllUnchanged) {
    const Output o = indexer({"--index", index(), corpus()});
    ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
    const Summary s = parse_summary(o.out);
    ASSERT_TRUE(s.parsed) << o.out;
    EXPECT_EQ(s.n.at("seen"), 48);
    EXPECT_EQ(s.n.at("unchanged"), 48);
    for (const char* k :
         {"added", "updated", "deleted", "stubs_added", "stubs_removed", "rejected"}) {
        EXPECT_EQ(s.n.at(k), 0) << k;
    }
}

// ---- on fixture corpora --------------------------------------------------------------------

const char* const kRelatedOutside =
    "related:\n"
    "  - title: \"An outside guide\"\n"
    "    excerpt: \"About the guide\"\n"
    "    publishedDateTime: 2021-01-05T10:00:00Z\n"
    "    webUrl: \"https://outside.example/guide\"\n"
    "    type: article\n"
    "    provider:\n"
    "      name: Outside\n"
    "      domain: outside.example\n";

void add_good_articles(const Fixture& f) {
    f.add("a.md", article("Alpha pangolin report", "https://news.example/alpha", kRelatedOutside));
    f.add("sub/b.md", article("Beta pangolin review", "https://news.example/beta"));
    f.add("sub/deeper/c.md", article("Gamma pangolin notes", "https://news.example/gamma"));
}

TEST(E2eIndexer, SummaryLineAndExitZero) {
    Fixture f;
    add_good_articles(f);
    f.add("logo.png", "not an article");
    f.add(".hidden.md", article("Hidden", "https://news.example/hidden"));
    const Output o = indexer({"--index", f.index(), f.corpus()});
    ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
    const Summary s = parse_summary(o.out);
    ASSERT_TRUE(s.parsed) << o.out;
    EXPECT_EQ(s.mode, "indexed");
    EXPECT_EQ(s.n.at("seen"), 3);
    EXPECT_EQ(s.n.at("added"), 3);
    EXPECT_EQ(s.n.at("unchanged"), 0);
    EXPECT_EQ(s.n.at("stubs_added"), 1);
    EXPECT_EQ(s.n.at("rejected"), 0);
    EXPECT_EQ(s.n.at("skipped"), 2) << "a .png and a hidden file";
    EXPECT_TRUE(fs::exists(f.index()));
    const Output q = searcher({"search", "--index", f.index(), "--format", "json", "pangolin"});
    ASSERT_EQ(q.rc, 0) << describe(q);
    EXPECT_EQ(json::parse(q.out)["results"].size(), 3u);
}

// A title written with HTML5 named references is stored and indexed decoded, so its words are
// found as written (before the HTML5 table, "españa" found nothing here).
TEST(E2eIndexer, NamedEntitiesAreIndexedDecoded) {
    Fixture f;
    f.add("a.md", article("Espa&ntilde;a widens the Fran&ccedil;ois pangolin survey",
                          "https://news.example/espana"));
    ASSERT_EQ(indexer({"--index", f.index(), f.corpus()}).rc, news::kExitOk);
    const Output q = searcher({"search", "--index", f.index(), "--format", "json", "españa"});
    ASSERT_EQ(q.rc, 0) << describe(q);
    const json d = json::parse(q.out);
    ASSERT_EQ(d["results"].size(), 1u) << q.out;
    EXPECT_EQ(d["results"][0]["title"], "España widens the François pangolin survey");
    const Output c = searcher({"search", "--index", f.index(), "--format", "json", "françois"});
    ASSERT_EQ(c.rc, 0) << describe(c);
    EXPECT_EQ(json::parse(c.out)["results"].size(), 1u) << c.out;
}

// --timings: one line on stderr (even with --quiet) whose parts are the writer's phases; they
// are not negative and, with the time before the writer starts, add up to at most the elapsed
// time.
TEST(E2eIndexer, TimingsLineAccountsForTheWritersTime) {
    Fixture f;
    add_good_articles(f);
    const Output o = indexer(
        {"--index", f.index(), "--quiet", "--timings", "--compact", "--batch", "1", f.corpus()});
    ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
    const auto at = o.err.find("indexer: timings: ");
    ASSERT_NE(at, std::string::npos) << o.err;
    const std::string line = o.err.substr(at, o.err.find('\n', at) - at);
    auto figure = [&](const std::string& label) {
        const auto p = line.find(label);
        EXPECT_NE(p, std::string::npos) << label << " in: " << line;
        return p == std::string::npos ? -1.0 : std::stod(line.substr(p + label.size()));
    };
    double parts = 0;
    for (const char* label : {"waited for parsers ", "wrote documents ", "stubs ", "spelling ",
                              "flush ", "stories ", "prune ", "compact "}) {
        const double v = figure(label);
        EXPECT_GE(v, 0.0) << label << " in: " << line;
        parts += v;
    }
    // --batch 1: every document write commits (3 articles and 1 stub, plus the final commit).
    const auto c = line.find(" commits:");
    ASSERT_NE(c, std::string::npos) << line;
    const auto b = line.rfind(' ', c - 1);
    EXPECT_GE(std::stoi(line.substr(b + 1, c - b - 1)), 4) << line;
    EXPECT_LE(parts, figure("elapsed ") + 0.01) << line;  // rounding of 9 figures
    // Without --timings there is no such line.
    const Output plain = indexer({"--index", f.index(), "--quiet", f.corpus()});
    EXPECT_EQ(plain.err.find("timings"), std::string::npos) << plain.err;
}

TEST(E2eIndexer, RejectedFileExitsOneAndIsNamed) {
    Fixture f;
    add_good_articles(f);
    f.add("broken.md", "---\ntitle: \"Never closed\"\n");
    f.add("data.yaml", "title: [unclosed\n");
    const Output o = indexer({"--index", f.index(), f.corpus()});
    EXPECT_EQ(o.rc, news::kExitRejected) << describe(o);
    const Summary s = parse_summary(o.out);
    ASSERT_TRUE(s.parsed) << o.out;
    EXPECT_EQ(s.n.at("seen"), 5);
    EXPECT_EQ(s.n.at("added"), 3);
    EXPECT_EQ(s.n.at("rejected"), 2);
    EXPECT_TRUE(contains(o.err, "broken.md")) << o.err;
    EXPECT_TRUE(contains(o.err, "front matter is not closed")) << o.err;
    EXPECT_TRUE(contains(o.err, "data.yaml")) << o.err;
    EXPECT_TRUE(contains(o.err, "invalid YAML")) << o.err;
    // The good files are indexed all the same.
    const Output q = searcher({"search", "--index", f.index(), "--format", "json", "pangolin"});
    EXPECT_EQ(json::parse(q.out)["results"].size(), 3u);
}

// A path that does not exist is a usage error (exit 2) that writes nothing: no index is
// created, an existing one is not touched.
TEST(E2eIndexer, MissingPathIsAUsageErrorThatCreatesNothing) {
    Fixture f;
    f.add("a.md", article("Alpha pangolin", "https://news.example/alpha"));
    const fs::path fresh = f.dir.path() / "fresh-index";
    const Output gone =
        indexer({"--index", fresh.string(), (f.dir.path() / "no-such-dir").string()});
    EXPECT_EQ(gone.rc, news::kExitUsage) << describe(gone);
    EXPECT_TRUE(contains(gone.err, "no-such-dir")) << gone.err;
    EXPECT_TRUE(contains(gone.err, "no such file or directory")) << gone.err;
    EXPECT_FALSE(fs::exists(fresh));
    // One good path and one missing: still nothing is done.
    ASSERT_EQ(indexer({"--index", f.index(), f.corpus()}).rc, 0);
    const auto rev = Xapian::Database(f.index()).get_revision();
    const Output mixed = indexer({"--index", f.index(), "--full", f.corpus(), "/no/such/dir"});
    EXPECT_EQ(mixed.rc, news::kExitUsage) << describe(mixed);
    EXPECT_EQ(Xapian::Database(f.index()).get_revision(), rev);
}

// A rejected file is remembered (omega does the same): while it is unchanged, later runs do not
// read it or report its error again (exit 0, a note counts them, --report lists them);
// --retry-rejected reads it again; once fixed it is indexed and forgotten as rejected; --prune
// forgets a rejected file that is gone.
TEST(E2eIndexer, UnchangedRejectedFileIsNotReadAgain) {
    Fixture f;
    add_good_articles(f);
    f.add("broken.md", "---\ntitle: \"Never closed\"\n");
    const Output first = indexer({"--index", f.index(), f.corpus()});
    ASSERT_EQ(first.rc, news::kExitRejected) << describe(first);
    ASSERT_TRUE(contains(first.err, "front matter is not closed")) << first.err;

    const std::string rep = (f.dir.path() / "report.json").string();
    const Output again = indexer({"--index", f.index(), "--report", rep, f.corpus()});
    EXPECT_EQ(again.rc, news::kExitOk) << describe(again);
    EXPECT_FALSE(contains(again.err, "front matter is not closed")) << again.err;
    EXPECT_TRUE(
        contains(again.err, "1 file rejected by an earlier run is unchanged and not read again"))
        << again.err;
    const Summary s = parse_summary(again.out);
    ASSERT_TRUE(s.parsed) << again.out;
    EXPECT_EQ(s.n.at("seen"), 4);
    EXPECT_EQ(s.n.at("unchanged"), 3);
    EXPECT_EQ(s.n.at("rejected"), 0);
    EXPECT_EQ(s.n.at("still_rejected"), 1) << again.out;
    const json r = json::parse(read_text(rep));
    EXPECT_TRUE(r["rejected"].empty()) << r.dump(2);
    ASSERT_EQ(r["still_rejected"].size(), 1u) << r.dump(2);
    EXPECT_TRUE(contains(r["still_rejected"][0]["file"].get<std::string>(), "broken.md"));
    EXPECT_TRUE(contains(r["still_rejected"][0]["reason"].get<std::string>(),
                         "front matter is not closed"));

    const Output retry = indexer({"--index", f.index(), "--retry-rejected", f.corpus()});
    EXPECT_EQ(retry.rc, news::kExitRejected) << describe(retry);
    EXPECT_TRUE(contains(retry.err, "front matter is not closed")) << retry.err;

    f.add("broken.md", article("Mended at last", "https://news.example/mended"));
    const Output fixed = indexer({"--index", f.index(), f.corpus()});
    EXPECT_EQ(fixed.rc, news::kExitOk) << describe(fixed);
    EXPECT_EQ(parse_summary(fixed.out).n.at("added"), 1) << fixed.out;
    const Output after = indexer({"--index", f.index(), f.corpus()});
    EXPECT_EQ(after.rc, news::kExitOk) << describe(after);
    EXPECT_FALSE(contains(after.err, "rejected by an earlier run")) << after.err;

    f.add("other.md", "---\ntitle: [unclosed\n---\n");
    EXPECT_EQ(indexer({"--index", f.index(), f.corpus()}).rc, news::kExitRejected);
    auto rejected_rows = [&] {
        Xapian::Database db(f.index());
        std::size_t n = 0;
        for (auto it = db.metadata_keys_begin(news::kMetaRejectedPrefix);
             it != db.metadata_keys_end(news::kMetaRejectedPrefix); ++it)
            ++n;
        return n;
    };
    EXPECT_EQ(rejected_rows(), 1u);
    std::filesystem::remove(f.dir.path() / "corpus" / "other.md");
    EXPECT_EQ(indexer({"--index", f.index(), "--prune", f.corpus()}).rc, news::kExitOk);
    EXPECT_EQ(rejected_rows(), 0u);
}

TEST(E2eIndexer, UnterminatedQuoteIsRejectedNotIndexedUnderItsPath) {
    // An unclosed quote would swallow the keys after it, webUrl among them, and the article
    // would be indexed under its path. The file is rejected, at the line of the quote, and the
    // other files are indexed all the same.
    Fixture f;
    add_good_articles(f);
    // Everything after the quote, to the end of the front matter, would be the excerpt.
    f.add("unclosed.md",
          "---\ntitle: \"Unclosed quote\"\nexcerpt: \"An excerpt that never ends\n"
          "publishedDateTime: 2021-02-01T21:37:00Z\nwebUrl: https://news.example/unclosed\n"
          "type: article\n---\nBody.\n");
    const std::string rep = (f.dir.path() / "report.json").string();
    const Output o = indexer({"--index", f.index(), "--report", rep, f.corpus()});
    EXPECT_EQ(o.rc, news::kExitRejected) << describe(o);
    const Summary s = parse_summary(o.out);
    ASSERT_TRUE(s.parsed) << o.out;
    EXPECT_EQ(s.n.at("seen"), 4);
    EXPECT_EQ(s.n.at("added"), 3);
    EXPECT_EQ(s.n.at("rejected"), 1);
    EXPECT_TRUE(
        contains(o.err, "unclosed.md:3:10: invalid YAML: unterminated double-quoted string"))
        << o.err;
    const json r = json::parse(read_text(rep));
    ASSERT_EQ(r["rejected"].size(), 1u) << r.dump(2);
    EXPECT_TRUE(contains(r["rejected"][0]["file"].get<std::string>(), "unclosed.md"));
    EXPECT_EQ(r["rejected"][0]["line"], 3);
    EXPECT_EQ(r["rejected"][0]["column"], 10);
    // Nothing of it is indexed, under its URL or its path.
    for (const char* id : {"https://news.example/unclosed", "unclosed.md"}) {
        const Output g = searcher({"get", "--index", f.index(), id});
        EXPECT_EQ(g.rc, news::kExitNotFound) << id << "\n" << describe(g);
    }
    const Output q = searcher({"search", "--index", f.index(), "--format", "json", "pangolin"});
    ASSERT_EQ(q.rc, news::kExitOk) << describe(q);
    EXPECT_EQ(json::parse(q.out)["results"].size(), 3u);
}

TEST(E2eIndexer, ReportFileJson) {
    Fixture f;
    add_good_articles(f);
    f.add("broken.md", "---\ntitle: \"Never closed\"\n");
    std::string bad = article("Dated badly", "https://news.example/bad");
    bad.replace(bad.find("2021-02-01T21:37:00Z"), std::string("2021-02-01T21:37:00Z").size(),
                "yesterday");
    f.add("baddate.md", bad);
    const std::string rep = (f.dir.path() / "report.json").string();
    const Output o = indexer({"--index", f.index(), "--report", rep, "--quiet", f.corpus()});
    EXPECT_EQ(o.rc, news::kExitRejected) << describe(o);
    EXPECT_FALSE(contains(o.err, "warning:")) << "--quiet keeps warnings off stderr";
    EXPECT_TRUE(contains(o.err, "broken.md")) << "errors are printed even with --quiet";
    const json r = json::parse(read_text(rep));
    EXPECT_EQ(r["version"], 1);
    ASSERT_EQ(r["rejected"].size(), 1u) << r.dump(2);
    const json& rej = r["rejected"][0];
    EXPECT_EQ(keys_of(rej), (std::set<std::string>{"file", "line", "column", "reason"}));
    EXPECT_TRUE(contains(rej["file"].get<std::string>(), "broken.md"));
    EXPECT_EQ(rej["line"], 1);
    EXPECT_TRUE(contains(rej["reason"].get<std::string>(), "front matter is not closed"));
    ASSERT_EQ(r["warnings"].size(), 1u) << r.dump(2);
    const json& w = r["warnings"][0];
    EXPECT_EQ(keys_of(w), (std::set<std::string>{"file", "line", "column", "message"}));
    EXPECT_TRUE(contains(w["file"].get<std::string>(), "baddate.md"));
    EXPECT_GT(w["line"].get<int>(), 0);
    EXPECT_TRUE(contains(w["message"].get<std::string>(), "yesterday"));
    EXPECT_TRUE(r["notes"].is_array());
    // The warned article is kept, without a date.
    const Output q = searcher({"search", "--index", f.index(), "--format", "json", "Dated badly"});
    const json d = json::parse(q.out);
    ASSERT_EQ(d["results"].size(), 1u);
    EXPECT_TRUE(d["results"][0]["published"].is_null());
}

TEST(E2eIndexer, UsageErrorsExitTwo) {
    Fixture f;
    add_good_articles(f);
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--index", f.index(), "--bogus", f.corpus()}, "--bogus"},
        {{"--index", f.index()}, "paths"},
        {{}, "paths"},
        {{"--index", f.index(), "--batch", "0", f.corpus()}, "--batch"},
        {{"--index", f.index(), "--max-file-size", "0", f.corpus()}, "--max-file-size"},
        {{"--index", f.index(), "--language", "klingon", f.corpus()},
         "unknown --language 'klingon'"},
    };
    for (const auto& [args, msg] : cases) {
        const Output o = indexer(args);
        EXPECT_EQ(o.rc, news::kExitUsage) << json(args).dump() << "\n" << describe(o);
        EXPECT_TRUE(contains(o.err, msg)) << json(args).dump() << "\n" << o.err;
        EXPECT_FALSE(parse_summary(o.out).parsed) << o.out;
    }
    EXPECT_FALSE(fs::exists(f.index())) << "a usage error writes nothing";
    const Output help = indexer({"--help"});
    EXPECT_EQ(help.rc, news::kExitOk);
    EXPECT_TRUE(contains(help.out, "Exit codes")) << help.out;
}

TEST(E2eIndexer, DryRunWritesNoIndex) {
    Fixture f;
    add_good_articles(f);
    const Output o = indexer({"--index", f.index(), "--dry-run", f.corpus()});
    ASSERT_EQ(o.rc, news::kExitOk) << describe(o);
    const Summary s = parse_summary(o.out);
    ASSERT_TRUE(s.parsed) << o.out;
    EXPECT_EQ(s.mode, "dry run");
    EXPECT_EQ(s.n.at("seen"), 3);
    EXPECT_EQ(s.n.at("rejected"), 0);
    EXPECT_FALSE(fs::exists(f.index())) << "--dry-run must not create the index";
    // A dry run still reports rejections (and exit 1).
    f.add("broken.md", "---\ntitle: x\n");
    const Output r = indexer({"--index", f.index(), "--dry-run", f.corpus()});
    EXPECT_EQ(r.rc, news::kExitRejected) << describe(r);
    EXPECT_TRUE(contains(r.err, "broken.md"));
    EXPECT_FALSE(fs::exists(f.index()));
}

TEST(E2eIndexer, LockedIndexExitsThree) {
    Fixture f;
    add_good_articles(f);
    ASSERT_EQ(indexer({"--index", f.index(), f.corpus()}).rc, 0);
    {
        Xapian::WritableDatabase holder(f.index(), Xapian::DB_OPEN);  // holds the write lock
        const Output o = indexer({"--index", f.index(), f.corpus()});
        EXPECT_EQ(o.rc, news::kExitIndex) << describe(o);
        EXPECT_TRUE(contains(o.err, "locked")) << o.err;
        EXPECT_TRUE(contains(o.err, f.index())) << o.err;
        // Readers are not blocked by a writer.
        const Output q = searcher({"search", "--index", f.index(), "--format", "json", "pangolin"});
        EXPECT_EQ(q.rc, news::kExitOk) << describe(q);
    }
    EXPECT_EQ(indexer({"--index", f.index(), f.corpus()}).rc, news::kExitOk) << "the lock is gone";
}

TEST(E2eIndexer, WrongSchemaVersionExitsThree) {
    Fixture f;
    add_good_articles(f);
    ASSERT_EQ(indexer({"--index", f.index(), f.corpus()}).rc, 0);
    {
        Xapian::WritableDatabase db(f.index(), Xapian::DB_OPEN);
        db.set_metadata(news::kMetaSchemaVersion, "999");
        db.commit();
    }
    const Output o = indexer({"--index", f.index(), f.corpus()});
    EXPECT_EQ(o.rc, news::kExitIndex) << describe(o);
    EXPECT_TRUE(contains(o.err, "schema version 999")) << o.err;
    EXPECT_TRUE(contains(o.err, "--full")) << o.err;
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"search", "--index", f.index(), "pangolin"},
             {"stats", "--index", f.index()},
             {"get", "--index", f.index(), "https://news.example/alpha"}}) {
        const Output s = searcher(args);
        EXPECT_EQ(s.rc, news::kExitIndex) << json(args).dump() << "\n" << describe(s);
        EXPECT_TRUE(contains(s.err, "schema version '999'")) << s.err;
    }
    // --full rebuilds it.
    const Output full = indexer({"--index", f.index(), "--full", f.corpus()});
    EXPECT_EQ(full.rc, news::kExitOk) << describe(full);
    EXPECT_EQ(searcher({"stats", "--index", f.index()}).rc, news::kExitOk);
}

TEST(E2eIndexer, UpdatePruneAndDuplicatesAreCounted) {
    Fixture f;
    add_good_articles(f);
    ASSERT_EQ(indexer({"--index", f.index(), f.corpus()}).rc, 0);
    // Change one file (and move its mtime so the change is seen within one clock tick).
    f.add("sub/b.md", article("Beta pangolin review, revised", "https://news.example/beta"));
    const fs::path b = fs::path(f.corpus()) / "sub/b.md";
    fs::last_write_time(b, fs::last_write_time(b) + std::chrono::seconds(5));
    Output o = indexer({"--index", f.index(), f.corpus()});
    ASSERT_EQ(o.rc, 0) << describe(o);
    Summary s = parse_summary(o.out);
    ASSERT_TRUE(s.parsed) << o.out;
    EXPECT_EQ(s.n.at("unchanged"), 2);
    EXPECT_EQ(s.n.at("updated"), 1);
    EXPECT_EQ(s.n.at("added"), 0);
    const json d =
        json::parse(searcher({"search", "--index", f.index(), "--format", "json", "revised"}).out);
    ASSERT_EQ(d["results"].size(), 1u);
    EXPECT_EQ(d["results"][0]["id"], "https://news.example/beta");
    // Remove a file: kept with --no-prune, deleted by default (as mu and notmuch do).
    fs::remove(fs::path(f.corpus()) / "sub/deeper/c.md");
    o = indexer({"--index", f.index(), "--no-prune", f.corpus()});
    EXPECT_EQ(parse_summary(o.out).n.at("deleted"), 0) << o.out;
    EXPECT_EQ(searcher({"get", "--index", f.index(), "https://news.example/gamma"}).rc, 0);
    o = indexer({"--index", f.index(), f.corpus()});
    ASSERT_EQ(o.rc, 0) << describe(o);
    s = parse_summary(o.out);
    ASSERT_TRUE(s.parsed) << o.out;
    EXPECT_EQ(s.n.at("deleted"), 1);
    EXPECT_EQ(searcher({"get", "--index", f.index(), "https://news.example/gamma"}).rc,
              news::kExitNotFound);
    // A second file with the same id: counted as a duplicate, noted, exit 0.
    f.add("copy-of-a.md", article("Alpha pangolin copy", "https://news.example/alpha"));
    const fs::path c = fs::path(f.corpus()) / "copy-of-a.md";
    fs::last_write_time(c, fs::last_write_time(c) - std::chrono::hours(1));
    o = indexer({"--index", f.index(), f.corpus()});
    EXPECT_EQ(o.rc, 0) << describe(o);
    s = parse_summary(o.out);
    ASSERT_TRUE(s.parsed) << o.out;
    EXPECT_EQ(s.n.at("duplicates"), 1);
    EXPECT_TRUE(contains(o.err, "duplicate id https://news.example/alpha")) << o.err;
    const json st = json::parse(searcher({"stats", "--index", f.index(), "--format", "json"}).out);
    EXPECT_EQ(st["articles"], 2);
}

TEST(E2eIndexer, OtherLanguageExitsThree) {
    Fixture f;
    add_good_articles(f);
    ASSERT_EQ(indexer({"--index", f.index(), f.corpus()}).rc, 0);
    const Output o = indexer({"--index", f.index(), "--language", "french", f.corpus()});
    EXPECT_EQ(o.rc, news::kExitIndex) << describe(o);
    EXPECT_TRUE(contains(o.err, "language")) << o.err;
}

}  // namespace

// Two files with one id on a fresh index: one article added, one duplicate, nothing "updated";
// --dry-run counts the same, notes which file holds the id, and writes nothing.
TEST(E2eIndexer, DuplicatesOnAFreshIndexAndInADryRunAreCountedAlike) {
    Fixture f;
    f.add("a.md", article("Alpha pangolin", "https://news.example/alpha"));
    f.add("b.md", article("Beta pangolin", "https://news.example/beta"));
    f.add("z-copy.md", article("Alpha pangolin again", "https://news.example/alpha"));
    const fs::path older = fs::path(f.corpus()) / "a.md";
    fs::last_write_time(older, fs::last_write_time(older) - std::chrono::hours(1));
    const Output dry = indexer({"--index", f.index(), "--dry-run", f.corpus()});
    const Output real = indexer({"--index", f.index(), f.corpus()});
    for (const Output* o : {&dry, &real}) {
        EXPECT_EQ(o->rc, 0) << describe(*o);
        const Summary s = parse_summary(o->out);
        ASSERT_TRUE(s.parsed) << o->out;
        EXPECT_EQ(s.n.at("added"), 2) << o->out;
        EXPECT_EQ(s.n.at("updated"), 0) << o->out;
        EXPECT_EQ(s.n.at("duplicates"), 1) << o->out;
        EXPECT_TRUE(contains(o->err, "duplicate id https://news.example/alpha")) << o->err;
        EXPECT_TRUE(contains(o->err, "z-copy.md")) << o->err;
    }
    EXPECT_EQ(parse_summary(dry.out).mode, "dry run");
    const Output get =
        searcher({"get", "--index", f.index(), "--format", "json", "https://news.example/alpha"});
    EXPECT_EQ(json::parse(get.out)["article"]["title"], "Alpha pangolin again") << get.out;
}

// Pruning is the default, but a folder in which the walk finds nothing at all (an unmounted
// disk, a sync half done) does not empty the index: its articles are kept and a note says so.
TEST(E2eIndexer, AnEmptiedFolderIsNotPruned) {
    Fixture f;
    f.add("a/one.md", article("Alpha pangolin", "https://news.example/alpha"));
    f.add("b/two.md", article("Beta pangolin", "https://news.example/beta"));
    ASSERT_EQ(indexer({"--index", f.index(), f.corpus() + "/a", f.corpus() + "/b"}).rc, 0);
    fs::remove(fs::path(f.corpus()) / "a/one.md");
    fs::remove(fs::path(f.corpus()) / "b/two.md");
    f.add("b/three.md", article("Gamma pangolin", "https://news.example/gamma"));
    const Output o = indexer({"--index", f.index(), f.corpus() + "/a", f.corpus() + "/b"});
    EXPECT_EQ(o.rc, 0) << describe(o);
    const Summary s = parse_summary(o.out);
    ASSERT_TRUE(s.parsed) << o.out;
    EXPECT_EQ(s.n.at("deleted"), 1) << "b/two.md is gone; a/ is empty and kept";
    EXPECT_TRUE(contains(o.err, "nothing found under")) << o.err;
    EXPECT_EQ(searcher({"get", "--index", f.index(), "https://news.example/alpha"}).rc, 0);
    EXPECT_EQ(searcher({"get", "--index", f.index(), "https://news.example/beta"}).rc,
              news::kExitNotFound);
    // --prune given explicitly: the emptied folder is pruned too.
    const Output forced =
        indexer({"--index", f.index(), "--prune", f.corpus() + "/a", f.corpus() + "/b"});
    EXPECT_EQ(parse_summary(forced.out).n.at("deleted"), 1) << forced.out;
    EXPECT_EQ(searcher({"get", "--index", f.index(), "https://news.example/alpha"}).rc,
              news::kExitNotFound);
}
