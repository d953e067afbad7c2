// FieldWriter: a field's value into a document, driven by its row in kFields.
#include "field_writer.hpp"

#include <stdexcept>
#include <string>

namespace news {

namespace {

[[noreturn]] void misuse(const Field& f, const char* what) {
    throw std::logic_error(
        std::string("FieldWriter: field ").append(f.name).append(" ").append(what));
}

}  // namespace

FieldWriter::FieldWriter(Xapian::Document& doc, Xapian::TermGenerator& tg) : doc_(doc), tg_(tg) {
    tg_.set_document(doc_);
}

FieldWriter::~FieldWriter() {
    tg_.set_document(Xapian::Document());
}

void FieldWriter::add_text(std::string_view text, unsigned weight, std::string_view prefix,
                           bool positions) {
    if (!positions) {
        tg_.index_text_without_positions(std::string(text), weight, std::string(prefix));
        return;
    }
    tg_.index_text(std::string(text), weight, std::string(prefix));
    tg_.increase_termpos();
}

void FieldWriter::add(FieldId id, std::string_view value) {
    const Field& f = field(id);
    if (f.norm == Normalise::Number) misuse(f, "takes a number");
    if (value.empty()) return;
    switch (f.kind) {
        case FieldKind::Text:
            // The free-text copy holds the positions; the field's own copy needs none (a
            // phrase in the field is matched on the free text: searcher/query.cpp).
            if (!f.prefix.empty()) add_text(value, 1, f.prefix, f.text_weight == 0);
            if (f.text_weight > 0) add_text(value, f.text_weight, {}, true);
            break;
        case FieldKind::Boolean:
            if (f.text_weight > 0) add_text(value, f.text_weight, {}, true);
            doc_.add_boolean_term(bool_term(id, value));
            break;
        case FieldKind::Value:
            doc_.add_value(static_cast<Xapian::valueno>(f.slot), normalise(f.norm, value));
            break;
    }
}

void FieldWriter::add(FieldId id, double number) {
    const Field& f = field(id);
    if (f.kind != FieldKind::Value || f.norm != Normalise::Number) misuse(f, "takes no number");
    doc_.add_value(static_cast<Xapian::valueno>(f.slot), Xapian::sortable_serialise(number));
}

}  // namespace news
