// Unit tests for common/field_writer.{hpp,cpp} and the document the builder writes through it:
// add(field, value) puts each field where its row in kFields says, and a built article and
// stub are exactly what this schema version writes (a golden copy, term by term).
#include <gtest/gtest.h>

#include <xapian.h>

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "document.hpp"
#include "field_writer.hpp"
#include "fold.hpp"
#include "schema.hpp"

using news::field;
using news::FieldId;
using news::FieldKind;
using news::FieldWriter;
using news::kFields;
using news::Normalise;

namespace {

// A TermGenerator set up as the indexer's (DocumentBuilder's constructor).
Xapian::TermGenerator term_generator() {
    Xapian::TermGenerator tg;
    tg.set_stemmer(news::make_stemmer("english"));
    tg.set_stemming_strategy(news::kIndexStemStrategy);
    return tg;
}

std::vector<std::string> terms(const Xapian::Document& doc) {
    std::vector<std::string> out;
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) out.push_back(*t);
    return out;
}

Xapian::termcount wdf(const Xapian::Document& doc, const std::string& term) {
    auto t = doc.termlist_begin();
    t.skip_to(term);
    return t != doc.termlist_end() && *t == term ? t.get_wdf() : 0;
}

std::vector<Xapian::termpos> positions(const Xapian::Document& doc, const std::string& term) {
    auto t = doc.termlist_begin();
    t.skip_to(term);
    if (t == doc.termlist_end() || *t != term) return {};
    return {t.positionlist_begin(), t.positionlist_end()};
}

news::Article golden_article() {
    news::Article a;
    a.id = "https://example.com/news/Outage";
    a.path = "news/outage.md";
    a.title = "Outages hit Cloud providers";
    a.excerpt = "Several regions went dark &amp; stayed dark.";
    a.body = "The outage began at noon. Engineers restored service by evening.";
    a.topics = {"Cloud", "Reliability Engineering"};
    a.provider.name = "Example News";
    a.provider.domain = "www.Example.com";
    a.type = "Article";
    a.category = "Tech";
    a.published = 1612155600;  // 2021-02-01T05:00:00Z
    a.quality = 73.5;
    a.heat = 4;
    a.web_url = "https://example.com/news/Outage";
    a.original_url = "https://EXAMPLE.com/orig?id=7&utm_source=feed";  // U: without utm_source
    a.featured = true;
    a.published_flag = true;
    news::RelatedRef r;
    r.id = "https://example.com/news/earlier";
    r.web_url = r.id;
    r.title = "An earlier outage";
    r.published = 1600000000;
    r.quality = 12;
    a.related = {r};
    return a;
}

// Every term (wdf, positions), value (hex) and the data of a document, one per line.
std::string describe(const Xapian::Document& doc) {
    std::ostringstream out;
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
        out << "T " << *t << " " << t.get_wdf();
        for (auto p = t.positionlist_begin(); p != t.positionlist_end(); ++p) out << " " << *p;
        out << "\n";
    }
    for (auto v = doc.values_begin(); v != doc.values_end(); ++v) {
        out << "V " << v.get_valueno() << " ";
        for (unsigned char c : *v) out << std::hex << std::setw(2) << std::setfill('0') << int(c);
        out << std::dec << "\n";
    }
    out << "D " << doc.get_data() << "\n";
    return out.str();
}

}  // namespace

// ---- FieldWriter::add -----------------------------------------------------------------------

TEST(FieldWriter, BooleanFieldWritesItsNormalisedTerm) {
    auto tg = term_generator();
    Xapian::Document doc;
    {
        FieldWriter w(doc, tg);
        w.add(FieldId::Domain, " WWW.Example.COM ");
        w.add(FieldId::Id, "Posts/A.md");
        w.add(FieldId::Links, "https://example.com/b");
    }
    EXPECT_EQ(terms(doc), (std::vector<std::string>{"Hexample.com", "Q:Posts/A.md",
                                                    "XR" + news::id_key("https://example.com/b")}));
    EXPECT_EQ(wdf(doc, "Hexample.com"), 0u);  // boolean terms never score
    EXPECT_EQ(doc.values_count(), 0u);
}

TEST(FieldWriter, BooleanFieldWithATextWeightIsFreeTextToo) {
    auto tg = term_generator();
    Xapian::Document doc;
    {
        FieldWriter w(doc, tg);
        w.add(FieldId::Topic, "Computer Vision");
        w.add(FieldId::Provider, "Reuters");
    }
    EXPECT_EQ(terms(doc), (std::vector<std::string>{"Kcomputer vision", "XPreuters", "Zcomput",
                                                    "Zreuter", "Zvision"}));
    EXPECT_EQ(wdf(doc, "Zcomput"), 1u);
    // Each value's text ends with a position gap: no phrase runs from one into the next.
    EXPECT_EQ(positions(doc, "Zvision"), std::vector<Xapian::termpos>{2});
    ASSERT_EQ(positions(doc, "Zreuter").size(), 1u);
    EXPECT_GT(positions(doc, "Zreuter")[0], 3u);
}

TEST(FieldWriter, TextFieldIsIndexedUnderItsPrefixAndWithItsWeight) {
    auto tg = term_generator();
    Xapian::Document doc;
    {
        FieldWriter w(doc, tg);
        w.add(FieldId::Title, "Outages hit");
        w.add(FieldId::Body, "outage");
    }
    EXPECT_EQ(terms(doc), (std::vector<std::string>{"ZShit", "ZSoutag", "Zhit", "Zoutag"}));
    EXPECT_EQ(wdf(doc, "ZSoutag"), 1u);
    EXPECT_EQ(wdf(doc, "Zhit"), news::kTitleWeight);
    EXPECT_EQ(wdf(doc, "Zoutag"), news::kTitleWeight + 1);  // the title's copy and the body's
    // The free-text copy holds the positions (a `title:` phrase is matched on it); the
    // field's own copy has none.
    EXPECT_TRUE(positions(doc, "ZSoutag").empty());
    const auto p = positions(doc, "Zoutag");
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0], 1u);
    EXPECT_EQ(positions(doc, "Zhit"), std::vector<Xapian::termpos>{2});
    EXPECT_GT(p[1], 3u);  // the body's, after a gap
}

TEST(FieldWriter, ValueFieldsFillTheirSlot) {
    auto tg = term_generator();
    Xapian::Document doc;
    {
        FieldWriter w(doc, tg);
        w.add(FieldId::Published, 1612137600.0);
        w.add(FieldId::Quality, -2.5);
        w.add(FieldId::PubDay, "20210201");
        w.add(FieldId::Topics, std::string("A\x1f"
                                           "B"));
    }
    EXPECT_EQ(doc.get_value(news::kSlotPublished), Xapian::sortable_serialise(1612137600.0));
    EXPECT_EQ(doc.get_value(news::kSlotQuality), Xapian::sortable_serialise(-2.5));
    EXPECT_EQ(doc.get_value(news::kSlotDay), "20210201");  // AsIs: not lower-cased or trimmed
    EXPECT_EQ(doc.get_value(news::kSlotTopics),
              "A\x1f"
              "B");
    EXPECT_EQ(doc.values_count(), 4u);
    EXPECT_TRUE(terms(doc).empty());
}

TEST(FieldWriter, EmptyValuesWriteNothing) {
    auto tg = term_generator();
    Xapian::Document doc;
    {
        FieldWriter w(doc, tg);
        for (const auto& f : kFields) {
            if (f.norm != Normalise::Number) w.add(f.id, "");
        }
        w.add(FieldId::Title, "after");
    }
    EXPECT_EQ(doc.values_count(), 0u);
    EXPECT_EQ(terms(doc), (std::vector<std::string>{"ZSafter", "Zafter"}));
    EXPECT_EQ(positions(doc, "Zafter"), std::vector<Xapian::termpos>{1});  // no gaps before
}

TEST(FieldWriter, EveryFieldLandsWhereItsRowSays) {
    for (const auto& f : kFields) {
        auto tg = term_generator();
        Xapian::Document doc;
        {
            FieldWriter w(doc, tg);
            if (f.norm == Normalise::Number) {
                w.add(f.id, 42.0);
            } else {
                w.add(f.id, "Word");
            }
        }
        const auto ts = terms(doc);
        switch (f.kind) {
            case FieldKind::Boolean:
                EXPECT_NE(std::find(ts.begin(), ts.end(), news::bool_term(f.id, "Word")), ts.end())
                    << f.name;
                EXPECT_EQ(ts.size(), f.text_weight > 0 ? 2u : 1u) << f.name;
                EXPECT_EQ(doc.values_count(), 0u) << f.name;
                break;
            case FieldKind::Text:
                EXPECT_EQ(ts.size(), (f.prefix.empty() ? 0u : 1u) + (f.text_weight > 0 ? 1u : 0u))
                    << f.name;
                if (!f.prefix.empty()) {
                    EXPECT_EQ(wdf(doc, std::string("Z").append(f.prefix).append("word")), 1u)
                        << f.name;
                }
                if (f.text_weight > 0) {
                    EXPECT_EQ(wdf(doc, "Zword"), f.text_weight) << f.name;
                }
                EXPECT_EQ(doc.values_count(), 0u) << f.name;
                break;
            case FieldKind::Value:
                EXPECT_TRUE(ts.empty()) << f.name;
                EXPECT_EQ(doc.values_count(), 1u) << f.name;
                EXPECT_EQ(doc.get_value(static_cast<Xapian::valueno>(f.slot)),
                          f.norm == Normalise::Number ? Xapian::sortable_serialise(42.0) : "Word")
                    << f.name;
                break;
        }
    }
}

TEST(FieldWriter, AValueOfTheWrongSortThrows) {
    auto tg = term_generator();
    Xapian::Document doc;
    FieldWriter w(doc, tg);
    EXPECT_THROW(w.add(FieldId::Quality, "high"), std::logic_error);
    EXPECT_THROW(w.add(FieldId::Title, 1.0), std::logic_error);
    EXPECT_THROW(w.add(FieldId::Topic, 1.0), std::logic_error);
    EXPECT_THROW(w.add(FieldId::PubDay, 20210201.0), std::logic_error);  // stored as text
}

TEST(FieldWriter, LeavesTheTermGeneratorWithoutTheDocument) {
    auto tg = term_generator();
    Xapian::Document doc;
    { FieldWriter w(doc, tg); }
    tg.index_text("later");  // goes to the generator's own empty document, not to `doc`
    EXPECT_TRUE(terms(doc).empty());
}

// ---- DocumentBuilder: what this schema version writes ----------------------------------------

// Written by the builder before it went through FieldWriter (schema 6), and updated for schema
// 7: the P term of the path's hash (the id is a URL), and the U term drops the tracking parameter
// the original URL was given with; and for schema 8: the title's `ZS` stems without positions
// (the free text's title words hold them, from position 1). A change here changes the index: bump
// kSchemaVersion (schema.hpp) and docs/schema.md with it.
TEST(DocumentBuilder, BuildsTheGoldenArticleAndStub) {
    news::DocumentBuilder b("english");
    const news::Article a = golden_article();
    EXPECT_EQ(describe(b.build(a).doc), R"golden(T D20210201 0
T Hexample.com 0
T Kcloud 0
T Kreliability engineering 0
T M202102 0
T P33abd81b38e49069 0
T Qhttps://example.com/news/Outage 0
T Tarticle 0
T Uhttps://example.com/orig?id=7 0
T XCtech 0
T XFfeatured 0
T XFpublished 0
T XIcfd8a2921571444d 0
T XPexample news 0
T XQ70 0
T XRebd0beaec1a74816 0
T Y2021 0
T ZScloud 1
T ZShit 1
T ZSoutag 1
T ZSprovid 1
T Zamp 1 109
T Zat 1 215
T Zbegan 1 214
T Zby 1 220
T Zcloud 4 3 322
T Zdark 2 108 111
T Zengin 2 217 424
T Zeven 1 221
T Zexampl 1 525
T Zhit 3 2
T Znews 1 526
T Znoon 1 216
T Zoutag 4 1 213
T Zprovid 3 4
T Zregion 1 106
T Zreliabl 1 423
T Zrestor 1 218
T Zservic 1 219
T Zsever 1 105
T Zstay 1 110
T Zthe 1 212
T Zwent 1 107
V 0 e05e0178ad
V 1 b898
V 2 a8
V 3 63666438613239323135373134343464
V 4 cfd8a2921571444d
V 5 436c6f75641f52656c696162696c69747920456e67696e656572696e67
V 6 4578616d706c65204e657773
V 7 41727469636c65
V 8 ebd0beaec1a74816
V 10 3230323130323031
V 11 b898
V 12 32303231303230313035
V 13 9fde7ec51490ab8a
V 14 098060178ad042930000
D {"category":"Tech","excerpt":"Several regions went dark &amp; stayed dark.","featured":true,"heat":4.0,"id":"https://example.com/news/Outage","original_url":"https://EXAMPLE.com/orig?id=7&utm_source=feed","path":"news/outage.md","provider":{"domain":"www.Example.com","name":"Example News"},"published":1612155600,"published_flag":true,"quality":73.5,"title":"Outages hit Cloud providers","topics":["Cloud","Reliability Engineering"],"type":"Article","url":"https://example.com/news/Outage"}
)golden");
    EXPECT_EQ(describe(b.build_stub(a.related.at(0), a.id)), R"golden(T D20200913 0
T Hexample.com 0
T M202009 0
T Qhttps://example.com/news/earlier 0
T XFstub 0
T XIebd0beaec1a74816 0
T XQ10 0
T Y2020 0
T ZSan 1
T ZSearlier 1
T ZSoutag 1
T Zan 3 1
T Zearlier 3 2
T Zoutag 3 3
V 0 e05df5e1
V 1 ae
V 3 65626430626561656331613734383136
V 4 ebd0beaec1a74816
V 10 3230323030393133
V 11 ae
V 12 32303230303931333132
V 13 9fdf5e85f5760d3a40
V 14 05805f5e1000800c
D {"excerpt":"","from":"https://example.com/news/Outage","id":"https://example.com/news/earlier","published":1600000000,"quality":12.0,"stub":true,"title":"An earlier outage","url":"https://example.com/news/earlier"}
)golden");
}

// The builder takes the spelling words from its stemmer, which the term generator hands every
// word of the title and excerpt: they must be the terms a plain TermGenerator makes of them.
TEST(DocumentBuilder, SpellingWordsAreThePlainTermsOfTitleAndExcerpt) {
    news::Article a = golden_article();
    a.title = "Café Telefónica's AT&T C++ U.S. résumé 42nd 3.14 x86_64 über-Wörter";
    a.excerpt = "Ünïcödé ŁÓDŹ naïve naïve straße ßtraße 東京 e-mail don't " + std::string(70, 'a') +
                " ab abc " + std::string(41, 'b') + " " + std::string(40, 'c');
    a.body = "bodyonly words never spelled";
    news::DocumentBuilder b("english");
    const auto built = b.build(a);

    Xapian::Document scratch;
    Xapian::TermGenerator plain;
    plain.set_document(scratch);
    plain.index_text_without_positions(a.title);
    plain.index_text_without_positions(a.excerpt);
    std::vector<std::string> want;
    for (auto it = scratch.termlist_begin(); it != scratch.termlist_end(); ++it)
        if ((*it).size() >= 3 && (*it).size() <= 40) want.push_back(*it);
    EXPECT_EQ(built.spelling_words, want);
    EXPECT_NE(std::find(want.begin(), want.end(), std::string(40, 'c')), want.end());
    EXPECT_EQ(std::find(want.begin(), want.end(), "bodyonly"), want.end());

    // A second build on the same builder (its stems now remembered) writes the same document,
    // and a builder's stems are make_stemmer's.
    EXPECT_EQ(describe(b.build(a).doc), describe(built.doc));
    Xapian::Stem fresh = news::make_stemmer("english");
    Xapian::Stem cached = news::make_thread_stemmer("english", nullptr);
    for (const std::string w : {"telefónica", "naïve", "outages", "straße", "running", "running"})
        EXPECT_EQ(cached(w), fresh(w)) << w;
    // More words than the memory has lines (so lines are overwritten), twice over, and words
    // either side of the longest it remembers (30 bytes).
    std::vector<std::string> many;
    for (int i = 0; i < 20000; ++i) many.push_back("connecting" + std::to_string(i) + "ations");
    for (std::size_t n : {29, 30, 31, 32}) many.push_back(std::string(n - 3, 'x') + "ing");
    for (int round = 0; round < 2; ++round)
        for (const auto& w : many) ASSERT_EQ(cached(w), fresh(w)) << w << " round " << round;
}
