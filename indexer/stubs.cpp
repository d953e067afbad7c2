// Stubs: articles known only from other articles' `related` lists, written when some article
// lists them and no file holds them, removed when nothing refers to them any more.
#include "engine_impl.hpp"

namespace news::detail {

bool Engine::referenced(const std::string& key) {
    if (held_links_.count(key)) return true;  // (a held document is not in written_db())
    if (written_db().get_termfreq(make_term(field(FieldId::Links).prefix, key)) > 0) return true;
    auto x = xref_.find(key);
    return x != xref_.end() && !x->second.empty();
}

// A `related` entry of article `from` names the article with id key `key`: it needs a stub
// unless a full article (or a stub described by a referrer with a smaller id) holds the key.
// The referrer with the smallest id describes a stub, so its details do not depend on the
// order files were indexed in.
void Engine::want_stub(const std::string& key, const RelatedRef& r, const std::string& from) {
    if (!mine(key)) return;  // --shard K/N: another shard's article
    auto k = kinds().find(key);
    if (k != kinds().end() && !(k->second.kind == Kind::Stub && from <= k->second.from)) return;
    auto p = pending_stubs_.find(key);
    if (p == pending_stubs_.end()) {
        pending_stubs_.emplace(key, PendingStub{r, from});
    } else if (from <= p->second.from) {
        p->second = PendingStub{r, from};
    }
}

void Engine::flush_stubs() {
    auto pending = std::move(pending_stubs_);
    pending_stubs_.clear();
    for (auto& [t, p] : pending) {
        auto k = kinds().find(t);
        if (k != kinds().end() && (k->second.kind == Kind::Full || k->second.from < p.from))
            continue;
        if (!referenced(t)) continue;  // the referrer left
        put_stub(t, p.ref, p.from, k != kinds().end());
    }
}

void Engine::put_stub(const std::string& key, const RelatedRef& r, const std::string& from,
                      bool exists) {
    Xapian::Document stub = builder_.build_stub(r, from);
    if (exists) {
        forget_text(make_term(field(FieldId::IdKey).prefix, key));
        db().replace_document(make_term(field(FieldId::IdKey).prefix, key), stub);
    } else {
        const CandidateDoc search = candidate_doc(stub);
        TextInfo text = text_info(story_text_of(read_data(stub)), stub);
        const Xapian::docid did = add_doc(key, std::move(stub), {});  // (a stub links nowhere)
        stories_.note(did, search);
        stories_.put(did, std::move(text));  // (a held stub cannot be read back)
        ++stats_.stubs_added;
    }
    kinds()[key] = {Kind::Stub, from};
    count_write();
}

// Called when an article stopped listing the article with id key `key` (or was removed).
void Engine::maybe_remove_stub(const std::string& key) {
    auto k = kinds().find(key);
    if (k == kinds().end() || k->second.kind != Kind::Stub) return;
    const std::string lt = make_term(field(FieldId::Links).prefix, key);
    const std::string t = make_term(field(FieldId::IdKey).prefix, key);
    if (!referenced(key)) {
        forget_text(t);
        db().delete_document(t);
        kinds().erase(k);
        ++stats_.stubs_removed;
        count_write();
        return;
    }
    // Still listed; if its describing referrer was the one that left, describe it anew.
    const std::string from = k->second.from;
    bool from_still_links = false;
    if (auto x = xref_.find(key); x != xref_.end()) {
        for (const auto& [path, rid] : x->second)
            from_still_links = from_still_links || rid == from;
    }
    if (auto fd = find_docid(db(), from); fd && !from_still_links) {
        const Xapian::Document fdoc = db().get_document(*fd);
        for (auto ti = fdoc.termlist_begin(); ti != fdoc.termlist_end(); ti.skip_to(lt)) {
            from_still_links = *ti == lt;
            break;
        }
    }
    if (!from_still_links) {
        if (auto stub = stub_from_referrer(key)) {
            forget_text(t);
            db().replace_document(t, stub->first);
            k->second.from = stub->second;
            count_write();
        }
    }
}

// Rebuilds the stub of `id` from the `related` entry of the referrer with the smallest id
// (its source file is parsed again: stub details are not kept once a full article replaced
// them). Returns the stub and the referrer's id.
std::optional<std::pair<Xapian::Document, std::string>> Engine::stub_from_referrer(
    const std::string& key) {
    const std::string lt = make_term(field(FieldId::Links).prefix, key);
    struct Referrer {
        std::string id, source, rel;
        bool operator<(const Referrer& o) const { return id < o.id; }
    };
    std::vector<Referrer> referrers;
    for (auto p = db().postlist_begin(lt); p != db().postlist_end(lt); ++p) {
        auto data = read_data(db().get_document(*p));
        referrers.push_back(
            {data.value("id", ""), data.value("source", ""), data.value("path", "")});
    }
    if (auto x = xref_.find(key); x != xref_.end()) {  // articles of other shards
        for (const auto& [path, rid] : x->second)
            referrers.push_back({rid, path, fs::path(path).filename().string()});
    }
    std::sort(referrers.begin(), referrers.end());
    for (const auto& [rid, source, rel] : referrers) {
        if (source.empty()) continue;
        try {
            const ParsedFile pf = parse_article_file(source, rel, opts_.parse);
            for (const auto& r : pf.article.related) {
                if (id_key(r.id) == key) return std::make_pair(builder_.build_stub(r, rid), rid);
            }
        } catch (const ParseError&) {
            // The referrer's file changed or vanished; try the next referrer.
        }
    }
    return std::nullopt;
}

}  // namespace news::detail
