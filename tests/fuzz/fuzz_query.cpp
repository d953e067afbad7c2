// libFuzzer target for query building and matching (searcher/query.cpp and prior.cpp,
// searcher/search.cpp's highlight()).
//
// LLVMFuzzerInitialize builds, once, a small Xapian index in a temp dir: 20 fixture articles
// (parsed from front-matter text with news::parse_article_text, turned into documents with
// news::DocumentBuilder), their related entries as stubs, and the spelling data - the same
// things the indexer writes. Each input is then one search:
//
//   line 1     query text (QueryRequest::text)
//   line 2     --topic values, comma-separated
//   line 3     --provider values, comma-separated
//   line 4     --type values, comma-separated
//   line 5     --category values, comma-separated
//   line 6     --since (news::parse_time_flag)
//   line 7     --until
//   line 8     quality bounds "lo..hi" (strtod, either side may be empty)
//
// Further options (match all/any, spelling, include removed/stubs, sort, facets, collapse,
// explain) come from a hash of the input. The query is built with news::QueryBuilder::build and
// run with Xapian::Enquire::get_mset(0, 10), with the blended-ranking prior like the
// searcher. Then the same request goes through the searcher's library entry point
// news::run_search (what `searcher search --format json` prints), and the query text through
// news::get_article and news::get_story (`searcher get`); their JSON must serialise.
//
// A finding is: a crash or sanitizer report; any exception other than news::UsageError and
// Xapian::QueryParserError (and news::NotFoundError from get); one input taking more than 2 s
// of wall time (a watchdog thread signals the fuzzing thread, which prints its stack and
// aborts); and the output invariants checked in one_search(). See docs/fuzzing.md.

#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>
#include <unistd.h>
#include <xapian.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "date.hpp"
#include "document.hpp"
#include "errors.hpp"
#include "highlight.hpp"
#include "parser.hpp"
#include "prior.hpp"
#include "query.hpp"
#include "schema.hpp"
#include "search.hpp"
#include "text.hpp"

namespace fs = std::filesystem;

namespace {

constexpr double kHangSeconds = 2.0;
constexpr int64_t kNow = 1672444800;  // 2022-12-31T00:00:00Z: --since 7d etc. are relative to it

std::string g_dir;
Xapian::Database* g_db = nullptr;
news::OpenedIndex* g_index = nullptr;  // the same index, opened the searcher's way

// ---- the fixture index ---------------------------------------------------------------------

struct Fixture {
    const char* title;
    const char* excerpt;
    const char* date;  // "" = none
    const char* provider;
    const char* domain;
    const char* topics;  // YAML flow list body
    const char* type;
    const char* category;
    const char* quality;  // "" = none
    const char* extra;    // more front-matter lines
    const char* body;
};

const Fixture kFixtures[] = {
    {"Critical Glasshopper flaw hits Kubernetes ingress controllers",
     "Attackers can take over clusters through a crafted annotation.", "2021-09-14T08:00:00Z",
     "SecureBeat", "securebeat.example", "Kubernetes, Security", "article", "news", "88", "",
     "Patch now."},
    {"Glasshopper: attackers take over clusters", "Second report on the ingress flaw.",
     "2021-09-15T10:30:00-07:00", "CloudWire", "cloudwire.example", "Kubernetes, Security",
     "article", "news", "71", "", ""},
    {"Azure Key Vault adds Ironbark managed HSM pools", "FIPS 140-2 Level 3 pools, single tenant.",
     "2021-02-01T21:37:00Z", "CloudWire", "www.cloudwire.example", "Azure, Security", "article",
     "news", "74", "heat: -1\npublished: false", ""},
    {"QubitForge claims 127-qubit lattice record", "Coherence times up by a factor of three.",
     "2019-12-09", "Quantum Daily", "quantumdaily.example", "Quantum Computing", "article",
     "science", "65", "", ""},
    {"Service mesh ditches sidecars with eBPF", "Cilantro moves the data plane into the kernel.",
     "2021-07-20T12:00:00Z", "The Stack", "thestack.example", "Kubernetes, Networking, eBPF",
     "article", "news", "80", "", "\"service mesh\" istio linkerd envoy"},
    {"Video: inside Quincy North liquid immersion cooling", "A tour of the data centre.",
     "2020-06-23T09:00:00Z", "DataCenter TV", "dctv.example", "Data Centers", "video", "video",
     "55", "", ""},
    {"Press release: Quarrystone Backup adds immutable snapshots", "Ransomware-proof backups.",
     "2021-04-27T00:00:00Z", "PR Wire", "prwire.example", "Storage, Security", "press-release",
     "press", "20", "", ""},
    {"Souveraineté numérique : le projet Edelweiss", "Un cloud européen pour les administrations.",
     "2020-10-20T06:00:00+02:00", "Le Nuage", "lenuage.example", "Cloud, Europe", "article", "news",
     "60", "", "Zoë und Ärger über Café-Preise"},
    {"日本語のニュース: 量子コンピューター", "東京で発表された。", "2022-01-25T03:00:00Z",
     "Nikkei Example", "nikkei.example", "Quantum Computing, 日本", "article", "news", "70", "",
     ""},
    {"Chatbot Quokka 2 aces practice bar exam",
     "The language model scored in the 90th percentile 🚀.", "2022-12-06T15:00:00Z", "AI Weekly",
     "aiweekly.example", "AI, Language Models", "article", "news", "92", "featuredContent: true",
     ""},
    {"Removed: duplicate story", "This one was taken down.", "2022-03-01T00:00:00Z", "CloudWire",
     "cloudwire.example", "Cloud", "article", "news", "10", "removed: true", ""},
    {"Hijacked npm package tinsel-colors steals credentials",
     "Supply-chain attack on a popular library.", "2022-08-16T11:11:11Z", "SecureBeat",
     "securebeat.example", "Security, JavaScript, C++", "article", "news", "77", "",
     "npm node.js c++ c# f* wildcard*"},
    {"No date, no quality", "An undated article.", "", "Blog", "blog.example", "Misc", "blog",
     "opinion", "", "", ""},
    {"Hyperscaler price war will stall", "Brackenridge report on cloud pricing.",
     "2020-12-15T00:00:00Z", "Cloud Economics", "cloudeconomics.example", "Cloud, Pricing",
     "analysis", "analysis", "58", "", ""},
    {"Zero-day in Marlowgate VPN exploited in the wild", "Patch released after attacks.",
     "2022-01-11T18:00:00Z", "SecureBeat", "securebeat.example", "Security, VPN", "article", "news",
     "83", "", ""},
    {"Ottermere serverless Postgres is generally available", "Branching for databases.",
     "2022-03-08T14:00:00Z", "DB Weekly", "dbweekly.example", "Databases, PostgreSQL", "article",
     "news", "68", "", ""},
    {"Starling backbone upgrade cuts Azure cross-region latency", "Latency down 20%.",
     "2021-11-16T00:00:00Z", "CloudWire", "cloudwire.example", "Azure, Networking", "article",
     "news", "", "quality: \"73.5\"", ""},
    {"Year in review: 2022 gallimaufry", "Cloud, AI & security in one list.",
     "2022-12-20T00:00:00Z", "The Stack", "thestack.example", "Cloud, AI, Security", "listicle",
     "review", "45", "", ""},
    {"Fernhollow logging library remote code execution patch", "Log4Shell-style bug.",
     "2021-12-07T00:00:00Z", "SecureBeat", "securebeat.example", "Security, Java", "article",
     "news", "90", "", ""},
    {"Braidwell trapped-ion 32-qubit machine on Azure Quantum", "Trapped ions in the cloud.",
     "1969-07-20T20:17:00Z", "Quantum Daily", "quantumdaily.example", "Quantum Computing, Azure",
     "article", "science", "150", "", ""},
};

std::string fixture_text(const Fixture& f, int i) {
    std::string s = "---\n";
    s += "title: " + nlohmann::json(f.title).dump() + "\n";
    s += "excerpt: " + nlohmann::json(f.excerpt).dump() + "\n";
    if (*f.date) s += std::string("publishedDateTime: ") + f.date + "\n";
    s += "webUrl: \"https://" + std::string(f.domain) + "/news/" + std::to_string(i) + "\"\n";
    s += "provider:\n  name: " + nlohmann::json(f.provider).dump() + "\n  domain: " + f.domain +
         "\n";
    s += std::string("topics: [") + f.topics + "]\n";
    s += std::string("type: ") + f.type + "\ncategory: " + f.category + "\n";
    if (*f.quality) s += std::string("quality: ") + f.quality + "\n";
    if (*f.extra) s += std::string(f.extra) + "\n";
    // Each article lists the next one and an unindexed one (which becomes a stub).
    s += "related:\n";
    s += "  - title: \"Related " + std::to_string(i) + "\"\n    webUrl: \"https://" +
         kFixtures[(i + 1) % 20].domain + "/news/" + std::to_string((i + 1) % 20) + "\"\n";
    s += "  - title: \"Elsewhere " + std::to_string(i) +
         " about kubernetes\"\n    excerpt: stub text\n"
         "    webUrl: \"https://elsewhere.example/" +
         std::to_string(i) + "\"\n    publishedDateTime: 2021-01-0" + std::to_string(i % 9 + 1) +
         "\n    provider: {name: Elsewhere, domain: elsewhere.example}\n";
    s += "---\n";
    s += f.body;
    s += "\n";
    return s;
}

void build_index() {
    std::string tmpl = (fs::temp_directory_path() / "fuzz_query.XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
        std::perror("fuzz_query: mkdtemp");
        std::abort();
    }
    g_dir = tmpl;
    {
        Xapian::WritableDatabase w(g_dir, Xapian::DB_CREATE_OR_OVERWRITE);
        w.set_metadata(news::kMetaSchemaVersion, std::to_string(news::kSchemaVersion));
        w.set_metadata(news::kMetaLanguage, news::kDefaultLanguage);
        news::DocumentBuilder builder(news::kDefaultLanguage);
        int i = 0;
        for (const Fixture& f : kFixtures) {
            const std::string rel = "fixture/" + std::to_string(i) + ".md";
            const news::ParsedFile p =
                news::parse_article_text(fixture_text(f, i), news::FileKind::FrontMatter, rel, rel);
            news::DocumentBuilder::Built b = builder.build(p.article);
            w.replace_document(news::bool_term(news::FieldId::Id, p.article.id), b.doc);
            for (const auto& word : b.spelling_words) w.add_spelling(word);
            for (const auto& r : p.article.related) {
                if (r.web_url.find("elsewhere.example") != std::string::npos) {
                    w.replace_document(news::bool_term(news::FieldId::Id, r.id),
                                       builder.build_stub(r, p.article.id));
                }
            }
            ++i;
        }
        w.commit();
    }
    g_db = new Xapian::Database(g_dir);
    g_index = new news::OpenedIndex(news::open_indexes({g_dir}));
    if (g_db->get_doccount() != 40) {
        std::fprintf(stderr, "fuzz_query: fixture index has %u documents, expected 40\n",
                     g_db->get_doccount());
        std::abort();
    }
}

void remove_index() {
    delete g_index;
    g_index = nullptr;
    delete g_db;
    g_db = nullptr;
    std::error_code ec;
    if (!g_dir.empty()) fs::remove_all(g_dir, ec);
}

// ---- the hang watchdog ---------------------------------------------------------------------

pthread_t g_fuzz_thread;
std::atomic<int64_t> g_started_ns{0};  // steady clock at the start of the current input; 0 = idle
int g_hang_signal = 0;

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Runs on the fuzzing thread (pthread_kill): prints its stack, then aborts so that libFuzzer
// saves the input as a crash-* artifact.
void on_hang(int) {
    timespec cpu{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    const int64_t started = g_started_ns.load();
    char msg[256];
    const int n = std::snprintf(
        msg, sizeof msg,
        "\n==== fuzz_query finding: HANG: one input has run for %.2f s of wall time (limit %.1f "
        "s); "
        "this thread has used %.2f s of CPU in all. Stack of the fuzzing thread:\n",
        started ? (now_ns() - started) / 1e9 : -1.0, kHangSeconds, cpu.tv_sec + cpu.tv_nsec / 1e9);
    if (n > 0) (void)!write(2, msg, static_cast<size_t>(n));
    __sanitizer_print_stack_trace();
    std::abort();
}

void start_watchdog() {
    g_fuzz_thread = pthread_self();
    g_hang_signal = SIGRTMIN + 3;  // not used by libFuzzer or the sanitizers
    struct sigaction sa {};
    sa.sa_handler = on_hang;
    sigemptyset(&sa.sa_mask);
    sigaction(g_hang_signal, &sa, nullptr);
    std::thread([] {
        while (true) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            const int64_t s = g_started_ns.load();
            if (s != 0 && now_ns() - s > static_cast<int64_t>(kHangSeconds * 1e9)) {
                pthread_kill(g_fuzz_thread, g_hang_signal);
                std::this_thread::sleep_for(std::chrono::seconds(30));
            }
        }
    }).detach();
}

// ---- one search ----------------------------------------------------------------------------

[[noreturn]] void finding(const std::string& what, std::string_view input) {
    std::fprintf(
        stderr,
        "\n==== fuzz_query finding: %s\n---- input (%zu bytes) ----\n%s\n---- end of input ----\n",
        what.c_str(), input.size(),
        nlohmann::json(news::sanitize_utf8(input.substr(0, 2000))).dump().c_str());
    std::fflush(stderr);
    std::abort();
}

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (true) {
        const std::size_t e = s.find(sep, pos);
        out.emplace_back(
            s.substr(pos, e == std::string_view::npos ? std::string_view::npos : e - pos));
        if (e == std::string_view::npos) break;
        pos = e + 1;
    }
    return out;
}

std::vector<std::string> list(const std::vector<std::string>& lines, std::size_t i) {
    std::vector<std::string> out;
    if (i >= lines.size() || lines[i].empty()) return out;
    for (auto& v : split(lines[i], ',')) {
        if (!v.empty()) out.push_back(std::move(v));
    }
    return out;
}

std::optional<double> number(const std::string& s) {
    if (s.empty()) return std::nullopt;
    return std::strtod(s.c_str(),
                       nullptr);  // NaN, inf and junk (0) included: the CLI takes doubles
}

// ---- a Xapian leak, excluded ----------------------------------------------------------------
//
// XAPIAN BUG (not ours): Xapian 1.4.22's QueryParser leaks memory on some queries it rejects
// with a syntax error - e.g. "AND a!b ADJ:e:e" leaks 96 bytes in a bare Xapian::QueryParser
// with the searcher's flags, allocated directly in Xapian::QueryParser::Internal::parse_query
// (reproducer: tests/fuzz/regressions/query/xapian-leak-syntax-error). QueryBuilder::build
// catches the QueryParserError and re-reads the query as plain words, as designed; nothing on
// our side can free Xapian's parser state. So for inputs on which Xapian itself reports a syntax
// error - found out by building the query once with LeakSanitizer off and looking at the
// lenient reason - the search runs with LeakSanitizer off (everything else is still checked).
// Leaks our code causes on other inputs (like the one FieldProcessors throwing through Xapian
// caused, regressions/query/leak-fieldprocessor-throw-*) are still found.
struct LsanOff {
    explicit LsanOff(bool on) : on_(on) {
        if (on_) __lsan_disable();
    }
    ~LsanOff() {
        if (on_) __lsan_enable();
    }
    LsanOff(const LsanOff&) = delete;
    LsanOff& operator=(const LsanOff&) = delete;
    bool on_;
};

bool xapian_syntax_error(const news::QueryRequest& req) {
    LsanOff off(true);
    try {
        news::QueryBuilder qb(*g_db, news::kDefaultLanguage);
        const news::BuiltQuery b = qb.build(req);
        const std::string& why = b.parse_note;
        return b.lenient && (why.rfind("Syntax:", 0) == 0 || why == "parse error" ||
                             why == "Unknown range operation");
    } catch (...) {
        return false;  // the real run below reports it
    }
}

std::string strip_marks(std::string s) {
    for (const char* m : {"<mark>", "</mark>"}) {
        const std::string_view mv(m);
        for (std::size_t p = 0; (p = s.find(mv, p)) != std::string::npos;) s.erase(p, mv.size());
    }
    return s;
}

void one_search(std::string_view input) {
    const std::vector<std::string> lines = split(input, '\n');
    news::QueryRequest req;
    req.text = lines[0];
    req.filters.topics = list(lines, 1);
    req.filters.providers = list(lines, 2);
    req.filters.types = list(lines, 3);
    req.filters.categories = list(lines, 4);
    if (lines.size() > 5 && !lines[5].empty())
        req.filters.since = news::parse_time_flag(lines[5], false, kNow);
    if (lines.size() > 6 && !lines[6].empty())
        req.filters.until = news::parse_time_flag(lines[6], true, kNow);
    if (lines.size() > 7) {
        const auto dots = lines[7].find("..");
        req.filters.min_quality = number(lines[7].substr(0, dots));
        if (dots != std::string::npos) req.filters.max_quality = number(lines[7].substr(dots + 2));
    }
    const uint64_t h = news::hash64(input);
    req.match_all = (h & 1) == 0;
    req.spelling = (h & 2) == 0;
    req.filters.include_removed = (h & 4) != 0;
    req.filters.include_stubs = (h & 8) != 0;
    const int sort = static_cast<int>((h >> 4) % 4);      // 0 blend, 1 relevance, 2 date, 3 quality
    const LsanOff xapian_leak(xapian_syntax_error(req));  // see above

    news::QueryBuilder qb(*g_db, news::kDefaultLanguage);
    const news::BuiltQuery built = qb.build(req);

    // What run_search puts into its JSON output must be dumpable (nlohmann throws on
    // invalid UTF-8). The query text itself is echoed as given, so this holds only for
    // valid UTF-8 input.
    const std::string description = built.query.get_description();
    if (news::is_valid_utf8(req.text)) {
        if (!news::is_valid_utf8(description))
            finding(
                "parsed_query description is not valid UTF-8: " + news::sanitize_utf8(description),
                input);
        if (!news::is_valid_utf8(built.suggestion))
            finding("spelling suggestion is not valid UTF-8", input);
        if (!news::is_valid_utf8(built.parse_note))
            finding("lenient_reason is not valid UTF-8", input);
    }
    if (built.has_text && built.text.empty())
        finding("has_text set but the text query is empty", input);
    if (built.query.empty()) finding("built query is empty (would match nothing silently)", input);

    Xapian::Query q = built.query;
    Xapian::Enquire enq(*g_db);
    if (sort == 0 && built.has_text) {
        news::PriorSpec spec{1.0, 1.5, 30, kNow, false, 0};
        const news::Prior prior(spec, *g_db);
        if (!prior.query().empty())
            q = Xapian::Query(Xapian::Query::OP_AND_MAYBE, q, prior.query());
    }
    enq.set_query(q);
    if (sort <= 1) enq.set_sort_by_relevance_then_value(news::kSlotIdHash, false);
    if (sort == 2) enq.set_sort_by_value_then_relevance(news::kSlotPublished, true);
    if (sort == 3) enq.set_sort_by_value_then_relevance(news::kSlotQuality, true);
    const Xapian::MSet mset = enq.get_mset(0, 10);
    if (mset.size() > 10) finding("get_mset(0, 10) returned more than 10 results", input);

    for (auto it = mset.begin(); it != mset.end(); ++it) {
        const Xapian::Document doc = it.get_document();
        const nlohmann::json data = news::read_data(doc);
        if (!req.filters.include_stubs && data.value("stub", false))
            finding("a stub was returned without include_stubs", input);
        if (!req.filters.include_removed && data.value("removed", false))
            finding("a removed article was returned", input);
        const std::string title = data.value("title", "");
        (void)mset.snippet(
            title, 200, qb.stemmer(),
            Xapian::MSet::SNIPPET_BACKGROUND_MODEL | Xapian::MSet::SNIPPET_EXHAUSTIVE, "<b>",
            "</b>", "...");
        const std::string hl =
            news::highlight(title, built.text, qb.stemmer(), "<mark>", "</mark>");
        if (strip_marks(hl) != title) finding("highlight changed the title text: " + hl, input);
    }
    // highlight() over the (arbitrary) query text itself: never cuts or changes valid text.
    const std::string hl = news::highlight(req.text, built.text, qb.stemmer(), "<mark>", "</mark>");
    if (news::is_valid_utf8(req.text) && req.text.find("<mark>") == std::string::npos &&
        req.text.find("</mark>") == std::string::npos && strip_marks(hl) != req.text) {
        finding("highlight changed valid text: " + news::sanitize_utf8(hl), input);
    }

    // The searcher's own entry points. Their JSON is printed with dump(), which throws on
    // invalid UTF-8: that is a finding (the searcher would exit 70, "internal error"). Found
    // once: the query text was echoed into "query" unsanitised
    // (regressions/query/json-dump-invalid-utf8-query).
    const auto dump = [&](const nlohmann::json& j, const char* what) {
        try {
            (void)j.dump();
        } catch (const nlohmann::json::exception& e) {
            finding(std::string(what) + ": the JSON output cannot be serialised: " + e.what(),
                    input);
        }
    };
    news::SearchOptions so;
    so.request = req;
    so.sort = static_cast<news::SortMode>((h >> 6) % 4);
    so.reverse = ((h >> 8) & 3) == 0;  // a UsageError with relevance/blend, like --reverse there
    so.collapse = ((h >> 10) & 1) != 0;
    so.explain = ((h >> 11) & 1) != 0;
    so.exact_count = ((h >> 12) & 1) != 0;
    so.offset = static_cast<Xapian::doccount>((h >> 13) % 3);
    static const char* const kFacets[] = {"topic", "provider", "type", "year"};
    for (int i = 0; i < 4; ++i) {
        if ((h >> (15 + i)) & 1) so.facets.emplace_back(kFacets[i]);
    }
    try {
        dump(nlohmann::json(news::run_search(*g_index, so)), "run_search");
    } catch (const news::UsageError&) {
        // --reverse with relevance/blend sorting
    }
    for (int which = 0; which < 2; ++which) {
        try {
            if (which == 0) {
                dump(nlohmann::json(news::get_article(*g_index, req.text)), "get_article");
            } else {
                dump(nlohmann::json(news::get_story(*g_index, req.text)), "get_story");
            }
        } catch (const news::NotFoundError&) {
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    build_index();
    std::atexit(remove_index);
    start_watchdog();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const int64_t t0 = now_ns();
    g_started_ns.store(t0);
    try {
#ifdef NEWS_FUZZ_SELFTEST_HANG  // a build to check the watchdog: this input "hangs" for 5 s
        if (input == "__hang__") std::this_thread::sleep_for(std::chrono::seconds(5));
#endif
        one_search(input);
    } catch (const news::UsageError&) {
        // bad --since/--until value, over-long query: the searcher's exit code 2
    } catch (const Xapian::QueryParserError&) {
        // QueryBuilder::build re-reads rejected queries leniently; this is what is left
    } catch (const Xapian::Error& e) {
        finding("unexpected Xapian exception " + std::string(e.get_type()) + ": " + e.get_msg(),
                input);
    } catch (const std::exception& e) {
        finding(std::string("unexpected exception: ") + e.what(), input);
    } catch (...) {
        finding("unexpected non-std exception", input);
    }
    g_started_ns.store(0);
    const double secs = (now_ns() - t0) / 1e9;
    if (secs > kHangSeconds)
        finding("HANG: input took " + std::to_string(secs) + " s of wall time", input);
    return 0;
}
