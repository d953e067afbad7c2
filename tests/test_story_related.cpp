// Store-level tests of story clustering (indexer) and related-news ranking (searcher library)
// on fixture corpora in temp dirs.
#include <gtest/gtest.h>

#include <xapian.h>
#include <chrono>
#include <fstream>

#include <map>
#include <random>
#include <set>

#include "document.hpp"
#include "engine.hpp"
#include "errors.hpp"
#include "related.hpp"
#include "schema.hpp"
#include "search.hpp"
#include "story.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using news::test::TempDir;

namespace {

std::string art(const std::string& title, const std::string& excerpt, const std::string& url,
                const std::string& date, const std::string& provider, const std::string& topics,
                double quality = 50, const std::string& extra = "") {
    std::string s =
        "---\ntitle: \"" + title + "\"\nexcerpt: \"" + excerpt + "\"\npublishedDateTime: " + date +
        "\nwebUrl: \"" + url + "\"\ntype: article\nquality: " + std::to_string(quality) +
        "\nprovider:\n  name: " + provider + "\n  domain: " + provider + ".example\ntopics:\n";
    std::string t = topics + ",";
    for (std::size_t a = 0, c; (c = t.find(',', a)) != std::string::npos; a = c + 1) {
        if (c > a) s += "  - " + t.substr(a, c - a) + "\n";
    }
    s += extra + "---\n";
    return s;
}

// Four syndicated copies of one story, two other stories on the same topic, one unrelated.
void write_corpus(const TempDir& d) {
    const std::string ex =
        "A critical vulnerability dubbed Moonwhistle in widely used service mesh proxies lets "
        "anyone who "
        "can send a crafted header read cluster secrets and take over the mesh. Patched versions "
        "are "
        "available now.";
    d.write(
        "c/a.md",
        art("Critical Moonwhistle flaw in service mesh proxies lets attackers hijack clusters", ex,
            "https://a.example/moon", "2021-09-14T10:00:00Z", "alpha", "Security,Kubernetes", 90));
    d.write(
        "c/b.md",
        art("Critical Moonwhistle flaw in service mesh proxies could let attackers hijack clusters",
            "A critical vulnerability dubbed Moonwhistle in widely used service mesh proxies could "
            "let "
            "anyone who can send a crafted header read cluster secrets and take over the mesh. "
            "Patched "
            "versions are out now.",
            "https://b.example/moon", "2021-09-14T16:00:00Z", "beta", "Security", 70));
    d.write(
        "c/c.md",
        art("Moonwhistle: critical flaw in service mesh proxies lets attackers hijack clusters", ex,
            "https://c.example/moon", "2021-09-15T08:00:00Z", "gamma", "Security,Kubernetes", 60));
    d.write("c/d.md",
            art("Critical Moonwhistle flaw in service mesh proxies lets attackers hijack clusters, "
                "researchers warn",
                ex, "https://d.example/moon", "2021-09-15T20:00:00Z", "delta", "Security", 50));
    d.write("c/e.md", art("Typosquatted Helm charts slip cryptominers into clusters",
                          "Researchers found chart repositories with names one letter away from "
                          "popular projects; "
                          "installing them deploys a miner as a DaemonSet.",
                          "https://a.example/helm", "2021-09-16T10:00:00Z", "alpha",
                          "Security,Kubernetes", 80));
    d.write("c/f.md", art("Audit finds RBAC sprawl in most Kubernetes clusters",
                          "Service accounts with cluster-admin rights they never use, wildcard "
                          "roles, and long-lived "
                          "tokens mounted into pods that do not need them.",
                          "https://b.example/rbac", "2021-09-17T10:00:00Z", "beta",
                          "Security,Kubernetes", 65));
    d.write(
        "c/g.md",
        art("Quantum annealer solves logistics puzzle faster than classical solvers",
            "A startup says its annealer routed delivery vans across a city in seconds.",
            "https://g.example/quantum", "2021-03-01T10:00:00Z", "gamma", "Quantum Computing", 55));
    // The same text a year later is another story (outside the time window).
    d.write("c/h.md",
            art("Critical Moonwhistle flaw in service mesh proxies lets attackers hijack clusters",
                ex, "https://h.example/moon-again", "2022-09-14T10:00:00Z", "eta", "Security", 40));
}

news::IndexStats index_dir(const fs::path& idx, const std::vector<fs::path>& inputs,
                           bool prune = false) {
    news::IndexOptions o;
    o.index = idx;
    o.inputs = inputs;
    o.jobs = 2;
    o.prune = prune;
    o.print_warnings = false;
    return news::run_index(o);
}

// id -> story id, for full articles.
std::map<std::string, std::string> stories(const fs::path& idx) {
    Xapian::Database db(idx.string());
    std::map<std::string, std::string> out;
    for (auto p = db.postlist_begin(""); p != db.postlist_end(""); ++p) {
        const Xapian::Document doc = db.get_document(*p);
        const auto d = news::read_data(doc);
        if (!d.value("stub", false)) out[d.value("id", "")] = doc.get_value(news::kSlotStory);
    }
    return out;
}

// Stories as sets of ids (independent of which id names them).
std::set<std::set<std::string>> groups(const std::map<std::string, std::string>& s) {
    std::map<std::string, std::set<std::string>> by;
    for (const auto& [id, st] : s) by[st].insert(id);
    std::set<std::set<std::string>> out;
    for (auto& [st, ids] : by) out.insert(ids);
    return out;
}

const std::set<std::string> kMoon{"https://a.example/moon", "https://b.example/moon",
                                  "https://c.example/moon", "https://d.example/moon"};

}  // namespace

TEST(Story, SyndicatedCopiesClusterOtherStoriesDoNot) {
    TempDir d;
    write_corpus(d);
    index_dir(d.path() / "idx", {d.path() / "c"});
    const auto s = stories(d.path() / "idx");
    const auto g = groups(s);
    EXPECT_TRUE(g.count(kMoon)) << "the four syndicated copies form one story";
    EXPECT_TRUE(g.count({"https://a.example/helm"}));
    EXPECT_TRUE(g.count({"https://b.example/rbac"}));
    EXPECT_TRUE(g.count({"https://h.example/moon-again"})) << "a year later: another story";
    // The story id is the id key of its first article (a.example's, the earliest published).
    for (const auto& id : kMoon) EXPECT_EQ(s.at(id), news::id_key("https://a.example/moon")) << id;
}

TEST(Story, IncrementalRunsGiveTheOneShotClustering) {
    TempDir d;
    write_corpus(d);
    index_dir(d.path() / "oneshot", {d.path() / "c"});
    // Same corpus built in pieces: files added one run at a time.
    TempDir inc;
    std::vector<std::string> names{"g.md", "c.md", "e.md", "a.md", "h.md", "d.md", "f.md", "b.md"};
    for (const auto& n : names) {
        fs::create_directories(inc.path() / "c");
        fs::copy_file(d.path() / "c" / n, inc.path() / "c" / n);
        index_dir(inc.path() / "idx", {inc.path() / "c"});
    }
    EXPECT_EQ(stories(d.path() / "oneshot"), stories(inc.path() / "idx"));

    // A member deleted leaves the story; the rest stay together.
    fs::remove(inc.path() / "c" / "a.md");
    index_dir(inc.path() / "idx", {inc.path() / "c"}, /*prune=*/true);
    auto g = groups(stories(inc.path() / "idx"));
    EXPECT_TRUE(
        g.count({"https://b.example/moon", "https://c.example/moon", "https://d.example/moon"}));

    // An update that changes the text moves the article out of the story.
    inc.write("c/b.md", art("Moonwhistle maintainers publish a postmortem",
                            "What went wrong in the review process.", "https://b.example/moon",
                            "2021-09-14T16:00:00Z", "beta", "Security"));
    fs::last_write_time(inc.path() / "c" / "b.md",
                        fs::last_write_time(inc.path() / "c" / "b.md") + std::chrono::seconds(5));
    index_dir(inc.path() / "idx", {inc.path() / "c"});
    g = groups(stories(inc.path() / "idx"));
    EXPECT_TRUE(g.count({"https://c.example/moon", "https://d.example/moon"}));
    EXPECT_TRUE(g.count({"https://b.example/moon"}));
}

// DISABLED: a known gap (docs/ranking.md, "Stories"). Candidates are an article's 50 best
// matches, so a link can be found from one side only: here y finds x among its 50, but x's 50
// are 60 filler articles with x's exact title words. Built in one run, x and y (one text, two
// providers) are one story; built with y in a first run and x added in a second, the second
// run follows links from x only and leaves them apart. Found by a review of the story pass.
TEST(Story, DISABLED_SplitRunsGiveTheOneShotStoriesBeyondTheCut) {
    std::mt19937 rng(7);
    const std::vector<std::string> syll{"ka", "lo", "mi",  "ne",  "ru",  "ta",  "vo",  "zi",
                                        "pe", "gu", "shi", "bra", "dre", "flo", "qui", "sto"};
    auto word = [&] {
        std::string w;
        for (int i = 0; i < 3; ++i) w += syll[rng() % syll.size()];
        return w;
    };
    auto words = [&](int n) {
        std::string out;
        for (int i = 0; i < n; ++i) {
            if (i) out += ' ';
            out += word();
        }
        out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
        return out;
    };
    TempDir d;
    const std::string shared = words(20);
    d.write("c/y.md", art("Blipvert frobozz", shared, "https://y.example/y", "2021-05-01T12:00:00Z",
                          "yp", "Misc"));
    d.write("c/z.md", art("Frobozz " + word(), words(40), "https://z.example/z",
                          "2021-05-01T13:00:00Z", "zp", "Misc"));
    for (int i = 0; i < 60; ++i) {
        d.write(
            "c/f" + std::to_string(i) + ".md",
            art("Zarquon blipvert " + word(), words(60), "https://f.example/" + std::to_string(i),
                "2021-05-01T11:" + std::string(i < 10 ? "0" : "") + std::to_string(i) + ":00Z",
                "fp" + std::to_string(i), "Misc"));
    }
    index_dir(d.path() / "split", {d.path() / "c"});  // first run: everything but x
    d.write("c/x.md", art("Zarquon blipvert", shared, "https://x.example/x", "2021-05-01T10:00:00Z",
                          "xp", "Misc"));
    index_dir(d.path() / "split", {d.path() / "c"});
    index_dir(d.path() / "oneshot", {d.path() / "c"});
    const auto one = stories(d.path() / "oneshot"), split = stories(d.path() / "split");
    ASSERT_EQ(one.at("https://x.example/x"), one.at("https://y.example/y")) << "one story";
    EXPECT_EQ(groups(split), groups(one));
}

// DISABLED: a known gap (docs/ranking.md, "Stories"), consistent with what split runs changed on
// real news: links
// are one-sided because each article searches with its own title's four rarest words. o's
// rarest shared word is "omegaword", which finds n; n's four rarest ("alphaword" ...
// "deltaword", each in one other title) do not find o. One text, so one story by the rule.
// Built in one run, o's search links them; built with o in a first run and n added in a
// second, the second run follows links from n only and leaves them apart. The azure corpus
// indexed in two runs put 29 of 4,984 articles in other stories than one run did, with the
// cut at 50 or at 400 (docs/benchmarks.md, ninth round of issue 18).
TEST(Story, DISABLED_SplitRunsFindLinksThatOnlyTheOlderArticleSearches) {
    TempDir d;
    const std::string text =
        "Frobnicator Labs shipped the quorvath release to every customer on Tuesday, fixing "
        "the zindle bug that stalled uploads.";
    d.write("c/o.md", art("Omegaword zetaone", text, "https://o.example/o", "2021-05-01T10:00:00Z",
                          "op", "Misc"));
    const std::vector<std::string> fillers{"alphaword", "betaword",  "gammaword", "deltaword",
                                           "omegaword", "omegaword", "omegaword", "omegaword"};
    for (std::size_t i = 0; i < fillers.size(); ++i) {
        const std::string n = std::to_string(i);
        d.write("c/f" + n + ".md",
                art("Filler " + fillers[i] + " number" + n,
                    "Unrelated note " + n + " about gardening, weather and the price of tea in " +
                        "town number " + n + ".",
                    "https://f.example/" + n, "2021-05-01T11:00:00Z", "fp" + n, "Misc"));
    }
    index_dir(d.path() / "split", {d.path() / "c"});  // first run: everything but n
    d.write("c/n.md", art("Alphaword betaword gammaword deltaword omegaword", text,
                          "https://n.example/n", "2021-05-01T12:00:00Z", "np", "Misc"));
    index_dir(d.path() / "split", {d.path() / "c"});
    index_dir(d.path() / "oneshot", {d.path() / "c"});
    const auto one = stories(d.path() / "oneshot"), split = stories(d.path() / "split");
    ASSERT_EQ(one.at("https://o.example/o"), one.at("https://n.example/n")) << "one story";
    EXPECT_EQ(groups(split), groups(one));
}

TEST(Story, CollapseFoldsAStory) {
    TempDir d;
    write_corpus(d);
    index_dir(d.path() / "idx", {d.path() / "c"});
    news::OpenedIndex index = news::open_indexes({(d.path() / "idx").string()});
    news::SearchOptions so;
    so.request.text = "moonwhistle";
    so.limit = 10;
    const auto plain = news::run_search(index, so);
    EXPECT_EQ(plain.results.size(), 5u);
    so.collapse = true;
    const auto folded = news::run_search(index, so);
    ASSERT_EQ(folded.results.size(), 2u);  // the 2021 story and the 2022 one
    long others = 0;
    for (const auto& r : folded.results) others += r.collapsed.value_or(0);
    EXPECT_EQ(others, 3);
    const auto story = news::get_story(index, "https://c.example/moon");
    ASSERT_EQ(story.articles.size(), 4u);
    EXPECT_EQ(story.articles[0].id, "https://a.example/moon") << "oldest first";
}

// The story rule on its own (story.hpp): two articles' words, names and providers.
bool same(const std::string& ta, const std::string& ea, const std::string& pa,
          const std::string& tb, const std::string& eb, const std::string& pb) {
    return news::same_story(news::story_text(ta, ea, pa), news::story_text(tb, eb, pb));
}

TEST(Story, EntitiesComeFromCapitalsInContext) {
    const auto t = news::story_text("Microsoft Inks Deal With NBA to Use Cloud and Surface Tablets",
                                    "Microsoft has signed a deal with the NBA to provide the "
                                    "basketball league with Azure cloud services. In May it grew.",
                                    "TheStreet");
    using Names = std::vector<std::string>;
    // Title Case says nothing; the excerpt's capitals do. "Microsoft" and "In" open sentences.
    EXPECT_EQ(t.names, (Names{"azure", "microsoft", "nba"}));
    EXPECT_EQ(t.title_names, (Names{"microsoft", "nba"}));
    EXPECT_TRUE(t.mentions("basketball"));
    EXPECT_FALSE(t.mentions("football"));
    // A title in sentence case names what it capitalises after its first word.
    const auto s = news::story_text(
        "Microsoft releases a preview of Defender for IoT to customers in Europe", "", "");
    EXPECT_EQ(s.title_names, (Names{"defender", "europe", "iot"}));
}

TEST(Story, OneEventToldTwiceIsOneStory) {
    // Two outlets' own write-ups: few words in common, the same names.
    EXPECT_TRUE(same("Microsoft acquires Metaswitch Networks",
                     "Microsoft signs a definitive agreement to acquire Metaswitch Networks, which "
                     "provides virtualized network software.",
                     "Seeking Alpha", "Microsoft Buys Metaswitch Networks",
                     "Microsoft has agreed to buy Metaswitch Networks, which provides software to "
                     "telecommunications companies.",
                     "Investopedia"));
    // One wire story, headline shortened.
    EXPECT_TRUE(same("Microsoft gets into 5G race with Azure cloud", "", "A",
                     "Microsoft gets into 5G race with Azure cloud for telecom operators", "",
                     "B"));
}

TEST(Story, SwappedNamesAreTwoStories) {
    EXPECT_FALSE(same("Private Link for Azure Database for MySQL now in two US regions", "", "A",
                      "Private Link for Azure Database for MariaDB now in two US regions", "",
                      "B"));
    EXPECT_FALSE(same("Microsoft to invest $1 bln in Poland cloud",
                      "Microsoft would invest in Poland to expand its operations.", "IBTimes",
                      "Microsoft to invest $1.5 billion in Italian cloud business",
                      "Microsoft would create its first datacentre region in Italy.", "Reuters"));
}

TEST(Story, OneProviderNeedsCloseTexts) {
    // Templated posts of one publisher share names but tell two things.
    EXPECT_FALSE(same("New Azure Cognitive Services and capabilities in preview",
                      "Preview capabilities in Azure Cognitive Services Decision, Vision, and "
                      "containers categories.",
                      "Microsoft", "Azure Cognitive Services general availability updates",
                      "General availability updates in Azure Cognitive Services Decision, Speech, "
                      "and containers categories.",
                      "Microsoft"));
    // The same text posted twice by one publisher is one story.
    EXPECT_TRUE(same(
        "No malaise at Microsoft as cloud helps office giant toast earnings forecast",
        "Nearly every aspect of Microsoft's business benefited from the shift.", "SiliconANGLE",
        "No malaise at Microsoft: Cloud helps office giant toast earnings target",
        "Nearly every aspect of Microsoft's business benefited from the shift.", "SiliconANGLE"));
}

TEST(Story, UnrelatedWordsAreNotAStory) {
    EXPECT_FALSE(same("Microsoft earnings beat estimates", "Microsoft reported revenue.", "A",
                      "Microsoft Teams outage hits users", "Microsoft said Teams was down.", "B"));
}

class Related : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir;
        write_corpus(*dir_);
        // e lists f (out-link); g lists e (in-link of e).
        dir_->write(
            "c/e.md",
            art("Typosquatted Helm charts slip cryptominers into clusters",
                "Researchers found chart repositories with names one letter away from popular "
                "projects; installing them deploys a miner as a DaemonSet.",
                "https://a.example/helm", "2021-09-16T10:00:00Z", "alpha", "Security,Kubernetes",
                80,
                "related:\n  - title: \"Audit finds RBAC sprawl in most Kubernetes clusters\"\n"
                "    webUrl: \"https://b.example/rbac\"\n"));
        dir_->write(
            "c/g.md",
            art("Quantum annealer solves logistics puzzle faster than classical solvers",
                "A startup says its annealer routed delivery vans across a city in seconds.",
                "https://g.example/quantum", "2021-03-01T10:00:00Z", "gamma", "Quantum Computing",
                55,
                "related:\n  - title: \"Typosquatted Helm charts slip cryptominers into "
                "clusters\"\n"
                "    webUrl: \"https://a.example/helm\"\n"));
        index_dir(dir_->path() / "idx", {dir_->path() / "c"});
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static nlohmann::json related(const std::string& seed, const news::RelatedOptions& o = {}) {
        news::OpenedIndex index = news::open_indexes({(dir_->path() / "idx").string()});
        return news::run_related(index, seed, o);
    }
    static std::vector<std::string> ids(const nlohmann::json& out) {
        std::vector<std::string> v;
        for (const auto& r : out["results"]) v.push_back(r["id"]);
        return v;
    }
    static TempDir* dir_;
};
TempDir* Related::dir_ = nullptr;

TEST_F(Related, ContentFindsTheSyndicatedCopiesFirstAndExcludesTheSeed) {
    const auto out = related("https://a.example/moon");
    const auto v = ids(out);
    ASSERT_GE(v.size(), 3u);
    EXPECT_EQ(std::count(v.begin(), v.end(), "https://a.example/moon"), 0)
        << "the seed is never returned";
    // h has the seed's exact title: a duplicate, never returned.
    EXPECT_EQ(std::count(v.begin(), v.end(), "https://h.example/moon-again"), 0);
    const std::set<std::string> top3(v.begin(), v.begin() + 3);
    EXPECT_EQ(top3, (std::set<std::string>{"https://b.example/moon", "https://c.example/moon",
                                           "https://d.example/moon"}));
    for (const auto& r : out["results"]) {
        const auto& s = r["signals"];
        const double sum = s["content"].get<double>() + s["vocabulary"].get<double>() +
                           s["topics"].get<double>() + s["time"].get<double>() +
                           s["quality"].get<double>() + s["graph"].get<double>();
        EXPECT_NEAR(sum, r["score"].get<double>(), 1e-6);
    }
}

TEST_F(Related, EachSignalCanRankAlone) {
    news::RelatedOptions o;
    // Topics alone: only articles sharing a topic, those sharing both topics first.
    o.weights = news::parse_weights("content=0,topics=1,time=0,quality=0,graph=0");
    auto v = ids(related("https://a.example/helm", o));
    EXPECT_EQ(std::count(v.begin(), v.end(), "https://g.example/quantum"), 0);
    ASSERT_FALSE(v.empty());
    EXPECT_TRUE(v[0] == "https://a.example/moon" || v[0] == "https://c.example/moon" ||
                v[0] == "https://b.example/rbac");
    // Time: with topics as the candidate set, the nearest in time comes first. (The fixture is
    // too small to measure a news cycle, which would scale time to 0: set it.)
    o.news_cycle = 1.0;
    o.weights = news::parse_weights("content=0,topics=0.01,time=1,quality=0,graph=0");
    v = ids(related("https://a.example/helm", o));
    ASSERT_FALSE(v.empty());
    EXPECT_EQ(v[0], "https://d.example/moon");  // 14 hours before the seed (rbac is 24 hours after)
    // Quality breaks the tie among equals.
    o.weights = news::parse_weights("content=0,topics=0.01,time=0,quality=1,graph=0");
    v = ids(related("https://b.example/rbac", o));
    ASSERT_FALSE(v.empty());
    EXPECT_EQ(v[0], "https://a.example/moon");  // quality 90
    // Graph: out-links and in-links.
    o.weights = news::parse_weights("content=0,topics=0,time=0,quality=0,graph=1");
    v = ids(related("https://a.example/helm", o));
    EXPECT_EQ(std::set<std::string>(v.begin(), v.end()),
              (std::set<std::string>{"https://b.example/rbac", "https://g.example/quantum"}));
}

TEST_F(Related, FiltersApply) {
    news::RelatedOptions o;
    o.filters.providers = {"gamma"};
    const auto by_provider = ids(related("https://a.example/moon", o));
    for (const auto& id : by_provider) {
        EXPECT_TRUE(id == "https://c.example/moon" || id == "https://g.example/quantum") << id;
    }
    news::RelatedOptions q;
    q.filters.min_quality = 65;
    const auto out = related("https://a.example/moon", q);
    EXPECT_FALSE(out["results"].empty());
    for (const auto& r : out["results"]) EXPECT_GE(r["quality"].get<double>(), 65);
    news::RelatedOptions t;
    t.filters.until = 1631664000;                             // 2021-09-15T00:00:00Z
    const auto until = related("https://a.example/moon", t);  // (a temporary would die in the for)
    EXPECT_FALSE(until["results"].empty());
    for (const auto& r : until["results"])
        EXPECT_LE(r["published"].get<std::string>(), "2021-09-15T00:00:00Z");
}

TEST_F(Related, AFileNotInTheIndexWorks) {
    TempDir other;
    const auto f = other.write(
        "new.md", art("Moonwhistle exploit code published for service mesh proxies",
                      "Proof-of-concept code for the Moonwhistle service mesh flaw appeared "
                      "online, raising the urgency of patching clusters.",
                      "https://z.example/new", "2021-09-16T12:00:00Z", "zeta", "Security"));
    const auto out = related(f.string());
    EXPECT_FALSE(out["seed"]["indexed"].get<bool>());
    const auto v = ids(out);
    ASSERT_GE(v.size(), 4u);
    // The five Moonwhistle articles first (h, a year later, too: content comes first, and the
    // fixture is too small to measure a news cycle that would let time count).
    const std::set<std::string> top5(v.begin(), v.begin() + 5);
    EXPECT_EQ(top5, (std::set<std::string>{"https://a.example/moon", "https://b.example/moon",
                                           "https://c.example/moon", "https://d.example/moon",
                                           "https://h.example/moon-again"}));
}

// An article file that is not indexed is ranked like the same article indexed: its terms are
// weighted as if it were one more document of the index.
TEST_F(Related, AFileRanksLikeTheSameArticleIndexed) {
    const auto indexed = related("https://c.example/moon");
    TempDir other;
    const std::string text = news::test::read_text(dir_->path() / "c" / "c.md");
    const auto f = other.write("copy.md", text);
    // The same file under another id, so that the index does not find it.
    std::string copy = text;
    copy.replace(copy.find("https://c.example/moon"), 22, "https://q.example/moon");
    news::test::write_file(f, copy);
    const auto file = related(f.string());
    EXPECT_FALSE(file["seed"]["indexed"].get<bool>());
    auto v = ids(file);
    v.erase(std::remove(v.begin(), v.end(), "https://c.example/moon"), v.end());
    const auto w = ids(indexed);
    ASSERT_GE(w.size(), 5u);
    ASSERT_GE(v.size(), 5u);
    EXPECT_EQ(std::vector<std::string>(v.begin(), v.begin() + 5),
              std::vector<std::string>(w.begin(), w.begin() + 5));
}

// The news-cycle strength: articles that share a rare word cluster in time in a news stream,
// not in an archive whose dates are unrelated to the text. It decides how much time counts.
TEST(RelatedNewsCycle, MeasuresWhetherSubjectsClusterInTime) {
    auto build = [](const TempDir& d, bool clustered) {
        // 30 subjects, each a made-up word in 28 articles; 840 articles over 2015..2022.
        for (int s = 0; s < 30; ++s) {
            std::string word;  // starting with a different pair of letters each
            word += static_cast<char>('a' + s % 26);
            word += static_cast<char>('a' + (s * 7 + s / 26) % 26);
            word += "qxword";
            for (int k = 0; k < 28; ++k) {
                const int i = s * 28 + k;
                // Clustered: the subject's articles within four weeks; else spread over 8 years
                // by a scrambled index.
                const int day = clustered ? (s * 97) % 2900 + k : (i * 7919) % 2900;
                const int y = 2015 + day / 365, doy = day % 365;
                char date[32];
                std::snprintf(date, sizeof date, "%04d-%02d-%02dT10:00:00Z", y, 1 + doy / 31,
                              1 + doy % 28);
                d.write("c/" + std::to_string(i) + ".md",
                        art("Report " + std::to_string(i) + " on " + word,
                            "Details about " + word + " and more.",
                            "https://n.example/" + std::to_string(i), date, "p", "Misc"));
            }
        }
        index_dir(d.path() / "idx", {d.path() / "c"});
        news::OpenedIndex index = news::open_indexes({(d.path() / "idx").string()});
        return news::run_related(index, "https://n.example/0", {}).news_cycle;
    };
    TempDir a, b;
    const double stream = build(a, true), archive = build(b, false);
    EXPECT_GT(stream, 0.8) << "subjects within four weeks of eight years";
    EXPECT_LT(archive, 0.15) << "dates unrelated to the subject";
}

TEST_F(Related, UnknownSeedIsNotFound) {
    EXPECT_THROW(related("https://nowhere.example/x"), news::NotFoundError);
}

// The content signal counts the seed's words a candidate shares (each once, whatever its wdf):
// repeating one of them does not outrank sharing more of them.
TEST(RelatedContent, SharedWordsCountNotTheirFrequency) {
    TempDir d;
    d.write("c/s.md", art("Zephyr quokka marmalade", "Zephyr quokka marmalade.",
                          "https://s.example/seed", "2021-09-14T10:00:00Z", "alpha", "Misc"));
    std::string many;
    for (int i = 0; i < 30; ++i) many += "quokka ";
    d.write("c/x.md", art("Quokka quokka", many, "https://x.example/many", "2021-09-14T10:00:00Z",
                          "beta", "Misc"));
    d.write("c/y.md", art("Zephyr and marmalade", "Zephyr marmalade.", "https://y.example/two",
                          "2021-09-14T10:00:00Z", "gamma", "Misc"));
    d.write("c/z.md", art("Unrelated", "Nothing in common here.", "https://z.example/none",
                          "2021-09-14T10:00:00Z", "delta", "Misc"));
    index_dir(d.path() / "idx", {d.path() / "c"});
    news::OpenedIndex index = news::open_indexes({(d.path() / "idx").string()});
    news::RelatedOptions o;
    o.weights = news::parse_weights("content=1,topics=0,time=0,quality=0,graph=0");
    const auto out = news::run_related(index, "https://s.example/seed", o);
    ASSERT_GE(out.results.size(), 2u);  // z shares only the topic word
    EXPECT_EQ(out.results[0].article.id, "https://y.example/two");
    EXPECT_EQ(out.results[1].article.id, "https://x.example/many");
    ASSERT_TRUE(out.results[0].signals.has_value());
    EXPECT_NEAR(out.results[0].signals->content, 1.0, 1e-9);
}

namespace {

// Stories on people's judgments: tests/fixtures/story_pairs holds pairs of real articles (the
// azure news corpus: title, excerpt, date, url, provider) that are near-duplicates by title or
// excerpt within a week, each labelled "same" (one story: the same wire story on two sites,
// one announcement covered twice) or "different" by reading both (pairs.tsv says how the set
// was made). The story pass must put the "same" pairs in one story and keep the others apart.
struct PairScores {
    int tp = 0, fp = 0, fn = 0, tn = 0;
    double precision() const { return tp + fp ? double(tp) / (tp + fp) : 1.0; }
    double recall() const { return tp + fn ? double(tp) / (tp + fn) : 1.0; }
};

PairScores score_story_pairs(std::string* misses) {
    const fs::path dir = fs::path(NEWS_SOURCE_DIR) / "tests" / "fixtures" / "story_pairs";
    TempDir d;
    index_dir(d.path() / "idx", {dir / "articles"});
    news::OpenedIndex index = news::open_indexes({(d.path() / "idx").string()});
    std::ifstream in(dir / "pairs.tsv");
    PairScores s;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> cols;
        std::size_t start = 0;
        for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
            cols.push_back(line.substr(start, tab - start));
        cols.push_back(line.substr(start));
        if (cols.size() < 3) continue;
        const bool same = cols[0] == "same";
        const auto a = news::get_article(index, cols[1]).article.story;
        const auto b = news::get_article(index, cols[2]).article.story;
        const bool joined = a.has_value() && a == b;
        if (same && joined) ++s.tp;
        if (!same && joined) ++s.fp;
        if (same && !joined) ++s.fn;
        if (!same && !joined) ++s.tn;
        if (misses && same != joined)
            *misses += (same ? "missed: " : "wrongly joined: ") + cols[1] + " ~ " + cols[2] + " (" +
                       (cols.size() > 3 ? cols[3] : "") + ")\n";
    }
    return s;
}

// The targets of the stories issue: precision >= 0.90 and recall >= 0.80 on the judged pairs.
TEST(StoryPairs, JudgedPairsAreSplitAndJoinedAsPeopleSaid) {
    std::string misses;
    const PairScores s = score_story_pairs(&misses);
    EXPECT_GE(s.tp + s.fn, 20) << "the fixture holds the judged pairs";
    EXPECT_GE(s.fp + s.tn, 20);
    std::cerr << "story pairs: precision " << s.precision() << " (" << s.tp << " of " << s.tp + s.fp
              << "), recall " << s.recall() << " (" << s.tp << " of " << s.tp + s.fn << ")\n";
    EXPECT_GE(s.precision(), 0.90) << misses;
    EXPECT_GE(s.recall(), 0.80) << misses;
}

// Every article's story id (value slot, what --collapse folds by) and its XS term (what `story`
// and the story: filter find) agree: the term only on articles whose story has two or more
// articles, and on every one of them. tests/fixtures/story_consistency (232 azure articles of two
// weeks) showed both kinds of disagreement, in one run (closures of two seeds that share an
// article were grouped apart) and across runs (articles an earlier story kept after others left
// it). Checked in one batch and in batches of 20 (twelve passes).
// Options that index tests/fixtures/story_consistency into `idx` in batches of `batch`.
news::IndexOptions consistency_fixture(const fs::path& idx, std::size_t batch) {
    news::IndexOptions o;
    o.index = idx;
    o.inputs = {fs::path(NEWS_SOURCE_DIR) / "tests" / "fixtures" / "story_consistency" /
                "articles"};
    o.jobs = 2;
    o.batch = batch;
    o.print_warnings = false;
    return o;
}

void expect_story_values_and_terms_agree(std::size_t batch) {
    TempDir d;
    const news::IndexOptions o = consistency_fixture(d.path() / "idx", batch);
    news::run_index(o);
    Xapian::Database db(o.index.string());
    std::map<std::string, std::size_t> members, holders;
    std::size_t multi = 0;
    for (auto p = db.postlist_begin(""); p != db.postlist_end(""); ++p) {
        const Xapian::Document doc = db.get_document(*p);
        const std::string story = doc.get_value(news::kSlotStory);
        ++members[story];
        for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
            if ((*t).rfind("XS", 0) != 0) continue;
            EXPECT_EQ((*t).substr(2), story) << "an XS term of another story";
            ++holders[(*t).substr(2)];
        }
    }
    ASSERT_GT(members.size(), 150u);
    std::size_t lone = 0, partial = 0;
    for (const auto& [story, n] : members) {
        const std::size_t h = holders.count(story) ? holders.at(story) : 0;
        if (n == 1 && h > 0) ++lone;
        if (n > 1 && h != n) ++partial;
        multi += n > 1;
    }
    EXPECT_EQ(lone, 0u) << "stories of one holding an XS term";
    EXPECT_EQ(partial, 0u) << "stories of 2+ whose XS term is not on every article";
    EXPECT_GT(multi, 20u) << "the fixture should form stories";
}

TEST(Story, StoryValuesAndStoryTermsAgreeInOneRun) {
    expect_story_values_and_terms_agree(5000);
}

TEST(Story, StoryValuesAndStoryTermsAgreeAcrossBatches) {
    expect_story_values_and_terms_agree(20);
}

// id -> (story id, XS terms) of every document of an index.
using StoryTerms = std::map<std::string, std::pair<std::string, std::vector<std::string>>>;
StoryTerms story_values_and_terms(const fs::path& idx) {
    Xapian::Database db(idx.string());
    StoryTerms out;
    for (auto p = db.postlist_begin(""); p != db.postlist_end(""); ++p) {
        const Xapian::Document doc = db.get_document(*p);
        std::vector<std::string> xs;
        for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t)
            if ((*t).rfind("XS", 0) == 0) xs.push_back(*t);
        out[news::read_data(doc).value("id", "")] = {doc.get_value(news::kSlotStory), xs};
    }
    return out;
}

// The story pass keeps what the rule reads of each article in a bounded cache, across commits,
// and writes story ids as it goes: an entry evicted and read again must show the story written
// since, not the committed one, or later assignments go wrong. A cache of three entries forces
// that on every batch; the stories (ids and XS terms) must equal those of the default cache.
// Also in one --full batch, whose pass searches in memory in two threads: their cache misses
// read the database in turns.
TEST(Story, ATinyStoryCacheGivesTheSameStories) {
    const fs::path dir = fs::path(NEWS_SOURCE_DIR) / "tests" / "fixtures" / "story_pairs";
    TempDir d;
    int n = 0;
    for (const std::size_t batch : {7u, 5000u}) {
        auto build = [&](std::size_t cache) {
            news::IndexOptions o;
            o.index = d.path() / std::to_string(++n);
            o.inputs = {dir / "articles"};
            o.jobs = 2;
            o.batch = batch;
            o.full = batch > 7;
            o.story_cache = cache;
            o.print_warnings = false;
            news::run_index(o);
            return story_values_and_terms(o.index);
        };
        const auto normal = build(1 << 16);
        const auto tiny = build(3);
        ASSERT_GT(normal.size(), 128u) << "enough articles for two threads (64 each)";
        std::size_t multi = 0;
        for (const auto& [id, st] : normal) {
            multi += st.second.size();
            EXPECT_LE(st.second.size(), 1u) << id << " is in two stories";
        }
        EXPECT_GT(multi, 20u) << "the fixture has stories of several articles";
        EXPECT_EQ(normal, tiny) << "batch " << batch;
    }
}

// The story pass searches candidates in memory (indexer/story_candidates) when a run wrote the
// whole index, through Xapian otherwise. The stories of a corpus of real articles (the
// consistency fixture: 232 azure articles of two weeks, with stubs) are the same either way: in
// one batch and in batches of 20 (several passes, each searching an index that grew), built by
// two writer threads (--full: two internal shards, merged) and as three shards (--shards 3).
// In one batch, the pass has enough seeds (64 a thread) to search in two threads.
TEST(Story, TheSameStoriesWithCandidatesInMemory) {
    TempDir d;
    struct Layout {
        std::size_t batch;
        bool full;
        unsigned shards;
    };
    int n = 0;
    auto build = [&](const Layout& l, bool in_memory) {
        news::IndexOptions o = consistency_fixture(d.path() / std::to_string(++n), l.batch);
        o.full = l.full;
        o.shards = l.shards;
        o.story_candidates_in_memory = in_memory;
        const news::IndexStats stats = news::run_index(o);
        EXPECT_GT(stats.times.story_passes, 0u);
        if (in_memory) {
            EXPECT_EQ(stats.times.story_passes_in_memory, stats.times.story_passes)
                << "a run that wrote the whole index searches in memory";
        } else {
            EXPECT_EQ(stats.times.story_passes_in_memory, 0u);
        }
        return story_values_and_terms(o.index);
    };
    for (const Layout& l : {Layout{5000, false, 0}, Layout{5000, true, 0}, Layout{20, false, 0},
                            Layout{20, true, 0}, Layout{20, true, 3}}) {
        const auto xapian = build(l, false);
        const auto memory = build(l, true);
        std::size_t multi = 0;
        for (const auto& [id, st] : xapian) multi += !st.second.empty();
        EXPECT_GT(multi, 20u) << "the fixture has stories of several articles";
        EXPECT_EQ(xapian, memory) << "batch " << l.batch << (l.full ? " --full" : "") << " shards "
                                  << l.shards;
    }
}

// A --full build holds each batch's new documents back until its story pass, which gives them
// their stories before they are written (no rewrite): with writer threads (-j2) and with one
// database written by the engine (-j1), which then numbers the held documents itself. Whatever
// makes the engine read the index in mid-batch writes the held documents first: here an id met
// twice and a stub (the first article lists the last) replaced by its article in a later
// batch. The stories are those of a build that never holds any.
TEST(Story, HeldDocumentsGetTheStoriesOfABuildThatWritesEachAtOnce) {
    TempDir d;
    const fs::path corpus = d.path() / "corpus";
    fs::copy(fs::path(NEWS_SOURCE_DIR) / "tests" / "fixtures" / "story_consistency" / "articles",
             corpus);
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(corpus)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    ASSERT_GT(files.size(), 200u);
    auto read = [](const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    const std::string last = read(files.back());
    const std::size_t u = last.find("webUrl: ");
    ASSERT_NE(u, std::string::npos);
    const std::string url_line = last.substr(u, last.find('\n', u) - u);
    std::string first = read(files.front());
    const std::size_t end = first.find("\n---", 4);
    ASSERT_NE(end, std::string::npos);
    first.insert(end, "\nrelated:\n  - title: \"Listed before it is indexed\"\n    " + url_line);
    std::ofstream(files.front(), std::ios::binary | std::ios::trunc) << first;
    // The copy sorts first and is older, so the original, met second, wins: write_article
    // then looks the id up in the index while the copy is held.
    const fs::path again = corpus / (files[100].stem().string() + "-again.md");
    fs::copy(files[100], again);
    fs::last_write_time(again, fs::last_write_time(files[100]) - std::chrono::hours(1));
    int n = 0;
    struct Layout {
        unsigned jobs, batch, writers;
    };
    // --writers 1 with -j2: parser threads, and the engine writes the one database itself.
    for (const auto& [jobs, batch, writers] :
         {Layout{2, 7, 0}, Layout{2, 20, 0}, Layout{1, 7, 0}, Layout{1, 20, 0}, Layout{2, 7, 1}}) {
        const std::string where = "-j" + std::to_string(jobs) + " batch " + std::to_string(batch) +
                                  " writers " + std::to_string(writers);
        auto build = [&](bool in_memory) {
            news::IndexOptions o = consistency_fixture(d.path() / std::to_string(++n), batch);
            o.inputs = {corpus};
            o.full = true;
            o.jobs = jobs;
            o.writers = writers;
            o.story_candidates_in_memory = in_memory;
            const news::IndexStats stats = news::run_index(o);
            EXPECT_EQ(stats.duplicates, 1u);
            // (one writer: the engine, no thread)
            EXPECT_EQ(stats.times.writers, writers ? writers : jobs) << where;
            if (in_memory) {
                EXPECT_GT(stats.times.story_set_before_writing, 20u) << where;
                EXPECT_GT(stats.times.story_rewrites, 0u) << "articles of earlier batches";
            } else {
                EXPECT_EQ(stats.times.story_set_before_writing, 0u);
            }
            EXPECT_EQ(stats.stubs_added, 1u);
            // Every document once: as many as there are ids (one copy of the twice-met id).
            const auto stories = story_values_and_terms(o.index);
            EXPECT_EQ(Xapian::Database(o.index.string()).get_doccount(), stories.size());
            EXPECT_EQ(stories.size(), files.size()) << "each article once (the stub became one)";
            return stories;
        };
        const auto written = build(false);
        const auto held = build(true);
        EXPECT_EQ(written, held) << where;
    }
}

// A second run over an index that exists searches through Xapian: the index holds documents
// this run did not write. (A day that is not 8 digits turns the search in memory off too:
// StoryCandidates.ANoteReplacesAndAnOddDayTurnsTheIndexOff.)
TEST(Story, OnlyARunThatWroteTheWholeIndexSearchesCandidatesInMemory) {
    TempDir d;
    news::IndexOptions o = consistency_fixture(d.path() / "idx", 50);
    const auto first = news::run_index(o);
    EXPECT_GT(first.times.story_passes_in_memory, 0u);
    d.write("more/late.md",
            "---\ntitle: \"Azure outage hits storage in West Europe\"\nexcerpt: \"Storage "
            "accounts in West Europe failed for three hours.\"\npublishedDateTime: "
            "2023-01-10T10:00:00Z\nwebUrl: \"https://late.example/outage\"\n---\n");
    o.inputs.push_back(d.path() / "more");
    const auto second = news::run_index(o);
    EXPECT_EQ(second.added, 1u);
    EXPECT_GT(second.times.story_passes, 0u);
    EXPECT_EQ(second.times.story_passes_in_memory, 0u);
}

// A story pass that fails (here a hook throws before it; a full disk would throw inside it)
// unwinds the run, and Xapian commits what the run wrote when it closes the database: the
// articles and the file table, without their stories. The articles to recompute are committed
// with them, so the next run, which finds every file unchanged, still gives every story a
// clean build gives. In place and in one batch, so the pass is the one before the commit
// (candidates in memory); and in batches of 20 with the hook at the third pass.
TEST(Story, AFailedPassLeavesItsArticlesToTheNextRun) {
    for (const int fail_at : {1, 3}) {
        const std::size_t batch = fail_at == 1 ? 5000 : 20;
        TempDir d;
        news::run_index(consistency_fixture(d.path() / "clean", batch));
        news::IndexOptions o = consistency_fixture(d.path() / "idx", batch);
        int passes = 0;
        o.before_story_pass = [&] {
            if (++passes == fail_at) throw std::runtime_error("the story pass failed");
        };
        EXPECT_THROW(news::run_index(o), std::runtime_error);
        o.before_story_pass = nullptr;
        const news::IndexStats again = news::run_index(o);
        if (fail_at == 1) {
            EXPECT_EQ(again.added, 0u) << "the first run's articles were committed";
        }
        EXPECT_EQ(story_values_and_terms(d.path() / "idx"),
                  story_values_and_terms(d.path() / "clean"))
            << "failed at pass " << fail_at;
    }
}

}  // namespace
