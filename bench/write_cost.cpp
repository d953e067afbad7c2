// write_cost: what Xapian's writing of our documents costs, and which part of a document costs
// it. Reads the first N documents of an index the indexer built (terms, wdf, positions, values,
// data) into memory, builds each variant's Xapian::Documents (not timed: the indexer's parser
// threads do that), then writes them into a new database in a temporary directory with one
// WritableDatabase, committing every 2,500 documents as a writer thread does, and prints the
// process CPU time per document of add_document and commit. Variants leave one part out:
//   full     the documents as they are
//   nopos    no positions (every term added with its wdf only)
//   novals   no value slots
//   nodata   no document data
// Xapian compresses document data and term lists with zlib (glass, tags over 18 bytes), which a
// profile cannot name (Debian's libxapian has no symbols): this is how to see those costs.
//
//   g++ -O2 -std=c++20 bench/write_cost.cpp -o /tmp/write_cost -lxapian
//   /tmp/write_cost INDEX [N=40000] [ROUNDS=3]
//
// Rounds interleave the variants; the median of each is printed. This machine is noisy: read
// differences under ~10% as noise.
#include <xapian.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace {

struct Term {
    std::string name;
    Xapian::termcount wdf;
    std::vector<Xapian::termpos> positions;
};
struct Doc {
    std::vector<Term> terms;
    std::vector<std::pair<Xapian::valueno, std::string>> values;
    std::string data;
};

double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

std::vector<Doc> load(const std::string& path, Xapian::doccount n) {
    Xapian::Database db(path);
    std::vector<Doc> docs;
    for (Xapian::docid d = 1; d <= db.get_lastdocid() && docs.size() < n; ++d) {
        Xapian::Document doc;
        try {
            doc = db.get_document(d);
        } catch (const Xapian::DocNotFoundError&) {
            continue;
        }
        Doc x;
        x.data = doc.get_data();
        for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
            Term term{*t, t.get_wdf(), {}};
            for (auto p = t.positionlist_begin(); p != t.positionlist_end(); ++p)
                term.positions.push_back(*p);
            x.terms.push_back(std::move(term));
        }
        for (auto v = doc.values_begin(); v != doc.values_end(); ++v)
            x.values.emplace_back(v.get_valueno(), *v);
        docs.push_back(std::move(x));
    }
    return docs;
}

// `docs` as Xapian documents, as `variant` says.
std::vector<Xapian::Document> build(const std::vector<Doc>& docs, const std::string& variant) {
    std::vector<Xapian::Document> out;
    out.reserve(docs.size());
    for (const auto& x : docs) {
        Xapian::Document doc;
        if (variant != "nodata") doc.set_data(x.data);
        for (const auto& t : x.terms) {
            if (variant != "nopos")
                for (auto p : t.positions) doc.add_posting(t.name, p, 0);
            doc.add_term(t.name, t.wdf);  // the wdf as stored
        }
        if (variant != "novals")
            for (const auto& [slot, v] : x.values) doc.add_value(slot, v);
        out.push_back(std::move(doc));
    }
    return out;
}

// CPU seconds to write `docs` into a new database at `out`.
double write(const std::vector<Xapian::Document>& docs, const std::string& out) {
    std::filesystem::remove_all(out);
    const double start = cpu_seconds();
    {
        Xapian::WritableDatabase db(out, Xapian::DB_CREATE_OR_OVERWRITE);
        Xapian::doccount i = 0;
        for (const auto& doc : docs) {
            db.add_document(doc);
            if (++i % 2500 == 0) db.commit();
        }
        db.commit();
    }
    const double spent = cpu_seconds() - start;
    std::filesystem::remove_all(out);
    return spent;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s INDEX [N=40000] [ROUNDS=3]\n", argv[0]);
        return 2;
    }
    const auto n = static_cast<Xapian::doccount>(argc > 2 ? std::atoi(argv[2]) : 40000);
    const int rounds = std::max(1, argc > 3 ? std::atoi(argv[3]) : 3);
    const std::vector<Doc> docs = load(argv[1], n);
    if (docs.empty()) {
        std::fprintf(stderr, "%s: no documents\n", argv[1]);
        return 1;
    }
    std::string tmpl = (std::filesystem::temp_directory_path() / "write_cost.XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
        std::perror("mkdtemp");
        return 1;
    }
    const std::filesystem::path dir(tmpl);
    const std::vector<std::string> variants{"full", "nopos", "novals", "nodata"};
    std::map<std::string, std::vector<Xapian::Document>> built;
    for (const auto& v : variants) built[v] = build(docs, v);
    std::map<std::string, std::vector<double>> times;
    for (int r = 0; r < rounds; ++r)
        for (const auto& v : variants) times[v].push_back(write(built[v], (dir / v).string()));
    std::filesystem::remove_all(dir);
    const auto median = [](std::vector<double> t) {
        std::sort(t.begin(), t.end());
        return t[t.size() / 2];
    };
    const double full = median(times["full"]);
    std::printf("%zu documents, %d rounds, median CPU per document\n", docs.size(), rounds);
    for (const auto& v : variants) {
        const double m = median(times[v]);
        std::printf("%-7s %7.1f us  (%+.1f us against full)\n", v.c_str(),
                    1e6 * m / static_cast<double>(docs.size()),
                    1e6 * (m - full) / static_cast<double>(docs.size()));
    }
}
