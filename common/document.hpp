// Article -> Xapian::Document (terms, values, stored data) and stored data -> display fields.
#pragma once

#include <xapian.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "article.hpp"

namespace news {

class FieldWriter;
struct StemTap;

// Builds documents; one per thread (TermGenerator and Stem are not thread-safe).
class DocumentBuilder {
  public:
    explicit DocumentBuilder(const std::string& language);
    // Not copied: a copy would share the term generator, the stemmer's memory and its tap.
    DocumentBuilder(const DocumentBuilder&) = delete;
    DocumentBuilder& operator=(const DocumentBuilder&) = delete;

    struct Built {
        Xapian::Document doc;
        std::vector<std::string> spelling_words;  // distinct words of title and excerpt
    };
    Built build(const Article& a);
    // A stub: an article known only from another article's `related` list; `from` is the
    // id of the article whose list describes it.
    Xapian::Document build_stub(const RelatedRef& r, const std::string& from = {});

  private:
    // `words`, when given, gets the words of the title and excerpt (what the stemmer reads).
    void index_core(FieldWriter& w, const ArticleCore& a, const std::string& id,
                    const std::vector<std::string>& topics, const std::string& body,
                    std::vector<std::string>* words = nullptr);
    std::shared_ptr<StemTap> tap_;
    Xapian::TermGenerator tg_;
};

// The stored document data (JSON). Keys are documented in docs/schema.md.
nlohmann::json article_data(const Article& a);
nlohmann::json stub_data(const RelatedRef& r, const std::string& from = {});

// The id keys (see id_key) of the articles a document lists as related, in order.
std::vector<std::string> out_links(const Xapian::Document& doc);

// The document whose id has key `key`, if any.
std::optional<Xapian::docid> find_by_key(const Xapian::Database& db, const std::string& key);

// Reads a document's stored data; an empty object when it is missing or not JSON.
nlohmann::json read_data(const Xapian::Document& doc);

// The document with unique term Q<id>, if any.
std::optional<Xapian::docid> find_docid(const Xapian::Database& db, const std::string& id);

}  // namespace news
