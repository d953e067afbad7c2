// The query pipeline's rules, on a small fixture index built by the real indexer and searched
// through run_search (the library behind `searcher search`): queries as people type them
// (keywords, pasted headlines, questions) must find what they mean. docs/ranking.md lists the
// rules; each test names the one it holds.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "errors.hpp"
#include "fold.hpp"
#include "search.hpp"
#include "test_util.hpp"

namespace {

using news::test::TempDir;
using nlohmann::json;

struct Doc {
    const char* file;
    const char* title;
    const char* excerpt;
};

// Titles and excerpts chosen so that each rule has exactly one right answer.
const Doc kDocs[] = {
    {"cosmos.md", "Azure Cosmos DB cuts serverless pricing",
     "The database service now bills serverless containers per request unit."},
    {"dynamo.md", "Amazon DynamoDB adds point-in-time restore",
     "Backups of DynamoDB tables can now be restored to any second of the last 35 days."},
    {"telefonica.md", "Telefónica teams with Microsoft on private 5G",
     "The Spanish carrier will sell edge computing on its network in São Paulo and Madrid."},
    {"cafe.md", "A café chain moves its tills to the cloud",
     "Point-of-sale data from 400 shops now lands in a managed database."},
    {"outage.md", "Azure outage takes down Teams in Europe",
     "A configuration change in a storage front end caused the outage."},
    {"outages.md", "Cloud outages cost retailers millions",
     "Three outages this year hit payment systems during sales."},
    {"china.md", "Azure Stack HCI now available in China",
     "The hybrid platform is sold through a local partner."},
    {"k8s.md", "Kubernetes security: scanning images before deploy",
     "Admission controllers block images with known vulnerabilities."},
    {"docker.md", "Docker and Kubernetes security checklist",
     "Harden the runtime, the registry and the cluster network."},
    {"quantum.md", "Quantum networking trial links two labs",
     "Entangled photons crossed 50 km of fibre between the sites."},
};

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

class QueryPipeline : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir;
        for (const Doc& d : kDocs) {
            const std::string slug = std::string(d.file).substr(0, std::string(d.file).size() - 3);
            dir_->write("corpus/" + std::string(d.file),
                        "---\ntitle: " + quoted(d.title) + "\nexcerpt: " + quoted(d.excerpt) +
                            "\npublishedDateTime: 2021-02-01T10:00:00Z\nwebUrl: "
                            "\"https://pipeline.example/" +
                            slug + "\"\nquality: 50\n---\n");
        }
        const auto o = news::test::indexer(
            {"-q", "--index", (dir_->path() / "idx").string(), (dir_->path() / "corpus").string()});
        ASSERT_EQ(o.rc, 0) << news::test::describe(o);
        index_ = new news::OpenedIndex(news::open_indexes({(dir_->path() / "idx").string()}));
    }
    static void TearDownTestSuite() {
        delete index_;
        delete dir_;
    }
    // run_search with the defaults of `searcher search` (--match auto, stopwords, spelling).
    static json search(const std::string& text, void (*tweak)(news::SearchOptions&) = nullptr) {
        news::SearchOptions o;
        o.request.text = text;
        o.relax = true;
        o.limit = 20;
        if (tweak) tweak(o);
        return news::run_search(*index_, o);
    }
    static std::vector<std::string> slugs(const json& d) {
        std::vector<std::string> out;
        for (const auto& r : d["results"]) {
            const std::string id = r["id"];
            out.push_back(id.substr(id.rfind('/') + 1));
        }
        return out;
    }
    static std::set<std::string> all_word_slugs(const json& d) {
        std::set<std::string> out;
        for (const auto& r : d["results"]) {
            if (!r["matched_all_words"].get<bool>()) continue;
            const std::string id = r["id"];
            out.insert(id.substr(id.rfind('/') + 1));
        }
        return out;
    }
    static TempDir* dir_;
    static news::OpenedIndex* index_;
};
TempDir* QueryPipeline::dir_ = nullptr;
news::OpenedIndex* QueryPipeline::index_ = nullptr;

// Rule 1: operators are upper case only; lower-case and/or/not are words.
TEST_F(QueryPipeline, LowerCaseOperatorsAreWords) {
    // A question: "or" is a word (a stopword, dropped), not an OR that lets either side match.
    const json q = search("should I migrate to cosmos or dynamo for pricing");
    ASSERT_FALSE(q["results"].empty());
    EXPECT_EQ(slugs(q)[0], "cosmos") << q["parsed_query"];
    // "not" is a word too: the China article is found, not everything but it.
    const json n = search("azure not available in china");
    ASSERT_FALSE(n["results"].empty());
    EXPECT_EQ(slugs(n)[0], "china") << n["parsed_query"];
    EXPECT_EQ(all_word_slugs(n), (std::set<std::string>{"china"}));
    // "kubernetes or docker security": both words and security, as typed.
    EXPECT_EQ(all_word_slugs(search("kubernetes or docker security")),
              (std::set<std::string>{"docker"}));
    // Upper case, they are operators.
    EXPECT_EQ(all_word_slugs(search("cosmos OR dynamodb")),
              (std::set<std::string>{"cosmos", "dynamo"}));
    EXPECT_EQ(all_word_slugs(search("kubernetes NOT docker")), (std::set<std::string>{"k8s"}));
    // With stopwords off, a lower-case "or" is still a word that must match: nothing has it.
    const json off = search("cosmos or dynamodb", [](news::SearchOptions& o) {
        o.request.stopwords = false;
        o.request.spelling = false;
        o.relax = false;
    });
    EXPECT_TRUE(off["results"].empty()) << off["parsed_query"];
}

// `title:` phrases and NEAR: the title's stems are indexed without positions (schema 8), and a
// phrase over them is matched on the free text's copy of the title (searcher/query.cpp). (A
// title holding the words apart matches when the excerpt or body holds the phrase: none here.)
TEST_F(QueryPipeline, TitlePhrasesAreReadOverTheTitleWords) {
    auto exact = [](news::SearchOptions& o) {
        o.relax = false;
        o.request.spelling = false;
    };
    auto found = [&](const std::string& q) {
        const json d = search(q, exact);
        const auto s = slugs(d);
        return std::set<std::string>(s.begin(), s.end());
    };
    EXPECT_EQ(found("title:\"kubernetes security\""), (std::set<std::string>{"k8s", "docker"}));
    EXPECT_EQ(found("title:\"security kubernetes\""), std::set<std::string>{});
    EXPECT_EQ(found("title:\"cloud outages\""), (std::set<std::string>{"outages"}));
    // In the excerpt only: "storage front end" is outage.md's excerpt, not its title.
    EXPECT_EQ(found("\"storage front end\""), (std::set<std::string>{"outage"}));
    EXPECT_EQ(found("title:\"storage front end\""), std::set<std::string>{});
    // NEAR within the title, and a title phrase beside other words.
    EXPECT_EQ(found("title:(azure NEAR teams)"), (std::set<std::string>{"outage"}));
    EXPECT_EQ(found("title:(azure NEAR retailers)"), std::set<std::string>{});
    EXPECT_EQ(found("title:\"point-in-time restore\" OR quantum"),
              (std::set<std::string>{"dynamo", "quantum"}));
    // Ranked as before: the phrase weighs what its title words weigh.
    const json d = search("title:\"cloud outages\"", exact);
    const json both = search("title:cloud AND title:outages", exact);
    ASSERT_EQ(d["results"].size(), 1u);
    ASSERT_EQ(both["results"].size(), 1u);
    EXPECT_GT(d["results"][0]["score"].get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(d["results"][0]["score"].get<double>(),
                     both["results"][0]["score"].get<double>());
    // Required, and NEAR with a window.
    EXPECT_EQ(found("+title:\"cloud outages\" retailers"), (std::set<std::string>{"outages"}));
    EXPECT_EQ(found("title:(azure NEAR/4 teams)"), (std::set<std::string>{"outage"}));
    EXPECT_EQ(found("title:(azure NEAR/3 teams)"), std::set<std::string>{});  // 5 words apart
    // The prefix binds to one word: it must be in the title, and near the other in the text.
    EXPECT_EQ(found("title:azure NEAR teams"), (std::set<std::string>{"outage"}));
    EXPECT_EQ(found("title:azure NEAR retailers"), std::set<std::string>{});
    EXPECT_EQ(found("storage NEAR title:outage"), (std::set<std::string>{"outage"}));
    EXPECT_EQ(found("configuration NEAR title:outage"), (std::set<std::string>{"outage"}));
    EXPECT_EQ(found("title:configuration NEAR outage"), std::set<std::string>{});  // excerpt only
    // Both words weigh, as they did in the NEAR.
    const json mixed = search("title:azure NEAR teams", exact);
    const json and_ = search("title:azure AND teams", exact);
    ASSERT_EQ(mixed["results"].size(), 1u);
    ASSERT_EQ(and_["results"].size(), 1u);
    EXPECT_DOUBLE_EQ(mixed["results"][0]["score"].get<double>(),
                     and_["results"][0]["score"].get<double>());
}

// Rule 2: every word is stemmed, whatever its case, the same way on both sides.
TEST_F(QueryPipeline, CaseDoesNotChangeStemming) {
    const json lower = search("outages"), title = search("Outages"), upper = search("OUTAGE");
    EXPECT_EQ(lower["total"], title["total"]);
    EXPECT_EQ(lower["total"], upper["total"]);
    EXPECT_EQ(lower["total"]["lower"], 2);
    const std::set<std::string> both{"outage", "outages"};
    EXPECT_EQ(all_word_slugs(title), both);
    EXPECT_EQ(all_word_slugs(upper), both);
    // A pasted headline in Title Case finds its article first.
    const json headline = search("Cloud Outages Cost Retailers Millions");
    ASSERT_FALSE(headline["results"].empty());
    EXPECT_EQ(slugs(headline)[0], "outages");
    EXPECT_TRUE(headline["results"][0]["matched_all_words"].get<bool>());
    // Phrases match stems too.
    EXPECT_EQ(all_word_slugs(search("\"azure outages\"")), (std::set<std::string>{"outage"}));
}

// Rule 3: diacritics fold on both sides; the text keeps them.
TEST_F(QueryPipeline, DiacriticsFoldOnBothSides) {
    for (const char* q : {"Telefonica", "telefónica", "TELEFONICA", "Sao Paulo", "são paulo"}) {
        const json d = search(q);
        EXPECT_EQ(all_word_slugs(d), (std::set<std::string>{"telefonica"})) << q;
    }
    EXPECT_EQ(all_word_slugs(search("cafe")), (std::set<std::string>{"cafe"}));
    EXPECT_EQ(all_word_slugs(search("Café")), (std::set<std::string>{"cafe"}));
    // Displayed text keeps its accents; the highlighter marks the accented word.
    const json d = search("telefonica");
    ASSERT_EQ(d["results"].size(), 1u);
    EXPECT_EQ(d["results"][0]["title"], "Telefónica teams with Microsoft on private 5G");
    EXPECT_EQ(d["results"][0]["title_highlighted"],
              "<mark>Telefónica</mark> teams with Microsoft on private 5G");
    const json s = search("sao paulo");
    EXPECT_NE(s["results"][0]["snippet"].get<std::string>().find("<mark>São</mark> "
                                                                 "<mark>Paulo</mark>"),
              std::string::npos)
        << s["results"][0]["snippet"];
}

TEST(Fold, UsesIcuAndKeepsAscii) {
    EXPECT_EQ(news::fold_diacritics("telefónica"), "telefonica");
    EXPECT_EQ(news::fold_diacritics("straße"), "strasse");
    EXPECT_EQ(news::fold_diacritics("øresund"), "oresund");
    EXPECT_EQ(news::fold_diacritics("łódź"), "lodz");
    EXPECT_EQ(news::fold_diacritics("cafe\xcc\x81"), "cafe");  // a combining accent (NFD)
    EXPECT_EQ(news::fold_diacritics("plain"), "plain");
    EXPECT_EQ(news::fold_diacritics("東京"), "東京");  // other scripts: unchanged
    const Xapian::Stem s = news::make_stemmer("english");
    EXPECT_EQ(s("outages"), "outag");
    EXPECT_EQ(s("Zürich"), s("Zurich"));
}

// Wildcards expand over the index's stems.
TEST_F(QueryPipeline, WildcardsExpandOverStems) {
    for (const char* q : {"kube*", "kubernetes*", "KUBER*", "title:kube*"}) {
        EXPECT_EQ(all_word_slugs(search(q)), (std::set<std::string>{"k8s", "docker"})) << q;
    }
    EXPECT_EQ(all_word_slugs(search("telef*")), (std::set<std::string>{"telefonica"}));
    EXPECT_EQ(all_word_slugs(search("dynamo* backups")), (std::set<std::string>{"dynamo"}));
    // Quoted, a star is not a wildcard.
    EXPECT_TRUE(all_word_slugs(search("\"kube*\"")).empty());
}

// Rule 4: a question no article answers word for word: feedback from the best partial matches
// reorders them (--expand auto), without changing which articles match or their count.
TEST_F(QueryPipeline, FeedbackReordersOnlyWhenNoArticleHasEveryWord) {
    const std::string q = "which cloud database restores backups for payment systems";
    const json with = search(q);
    const json without = search(q, [](news::SearchOptions& o) { o.expand_auto = false; });
    ASSERT_TRUE(with["relaxed"].get<bool>());
    EXPECT_EQ(with["matched_all"], 0);
    ASSERT_TRUE(with.contains("expansion"));
    EXPECT_FALSE(with["expansion"].empty());
    for (const auto& t : with["expansion"]) {
        const std::string term = t;
        EXPECT_EQ(term[0], 'Z') << term;
        EXPECT_EQ(with["parsed_query"].get<std::string>().find(term + "@"), std::string::npos)
            << term << " was in the query already";
    }
    EXPECT_FALSE(without.contains("expansion"));
    EXPECT_EQ(with["relaxed_total"], without["relaxed_total"]);
    std::vector<std::string> a = slugs(with), b = slugs(without);
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b) << "the same articles, maybe in another order";
    // With an article matching every word, nothing is added.
    EXPECT_FALSE(search("azure outage").contains("expansion"));
    EXPECT_FALSE(search("kubernetes security").contains("expansion"));
}

// Rule 5: totals count what matches as asked; the relaxed tail is counted apart.
TEST_F(QueryPipeline, TotalsCountTheAllWordMatchesAndTheTailApart) {
    const json d = search("azure outage", [](news::SearchOptions& o) { o.facets = {"topic"}; });
    ASSERT_TRUE(d["relaxed"].get<bool>());
    EXPECT_EQ(d["matched_all"], 1);
    EXPECT_EQ(d["total"]["lower"], 1);
    EXPECT_EQ(d["total"]["upper"], 1);
    EXPECT_EQ(d["facets_count"], "all_words");
    // Azure: cosmos, china; outage: outages. Three articles with some of the words.
    EXPECT_EQ(d["relaxed_total"]["lower"], 3);
    EXPECT_EQ(d["relaxed_total"]["upper"], 3);
    EXPECT_EQ(d["results"].size(), 4u);
    // No article with every word: the facets count the partial matches, and say so.
    const json none = search("quantum dynamodb", [](news::SearchOptions& o) {
        o.facets = {"year"};
        o.request.spelling = false;
    });
    EXPECT_EQ(none["total"]["upper"], 0);
    EXPECT_EQ(none["relaxed_total"]["lower"], 2);
    EXPECT_EQ(none["facets_count"], "some_words");
    EXPECT_EQ(none["facets"]["year"][0]["count"], 2);
}

// Rule 6: spelling suggestions must find clearly more, keep the first letter, and are searched
// when the query finds nothing.
TEST_F(QueryPipeline, SpellingIsOfferedOnlyWhenItHelps) {
    const json typo = search("kubernetis");
    EXPECT_EQ(typo["corrected_query"], "kubernetes");
    EXPECT_EQ(all_word_slugs(typo), (std::set<std::string>{"k8s", "docker"}));
    ASSERT_EQ(typo["notes"].size(), 1u);
    // No correction that changes the first letter (Zürich is not "rich"), none for a known
    // word, none for a word of 3 letters.
    for (const char* q : {"Zürich", "Zurich", "rich", "qzx", "azure"}) {
        const json d = search(q);
        EXPECT_TRUE(d["suggestion"].is_null()) << q << ": " << d["suggestion"];
        EXPECT_TRUE(d["corrected_query"].is_null()) << q << ": " << d["corrected_query"];
    }
    // Offered but not searched: the query finds something, the correction clearly more. With
    // every word optional, "dynamodb kubernetis" finds the DynamoDB article; corrected, three.
    const json offered = search("dynamodb kubernetis", [](news::SearchOptions& o) {
        o.request.match_all = false;
        o.relax = false;
    });
    EXPECT_EQ(offered["total"]["upper"], 1);
    EXPECT_TRUE(offered["corrected_query"].is_null());
    // 3 is not 5 more than 1: not "clearly more".
    EXPECT_TRUE(offered["suggestion"].is_null()) << offered["suggestion"];
}

// Rule 7: a query with no words is a usage error; a query that only excludes says so.
TEST_F(QueryPipeline, EmptyAndExcludingQueriesSayWhatTheyDid) {
    for (const char* q : {"!!!", "🙂", "- ( ) ;"}) {
        EXPECT_THROW(search(q), news::UsageError) << q;
    }
    const json n = search("NOT azure");
    ASSERT_EQ(n["notes"].size(), 1u);
    EXPECT_NE(n["notes"][0].get<std::string>().find("only excludes"), std::string::npos);
    EXPECT_EQ(n["sort"], "date");
    EXPECT_EQ(n["total"]["lower"], 10 - 3);  // every article without "azure"
    // Written with '-' alone, too (Xapian's parser would read it as the word wanted).
    const json m = search("-kubernetes");
    EXPECT_EQ(m["total"]["lower"], 10 - 2);
    EXPECT_EQ(m["notes"].size(), 1u);
    EXPECT_EQ(search("-kubernetes -telefonica")["total"]["lower"], 10 - 3);
}

}  // namespace
