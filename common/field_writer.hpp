// Writes field values into one Xapian document the way the field table (schema.hpp) says: the
// one path by which the indexer puts terms and values into a document.
#pragma once

#include <xapian.h>

#include <string_view>

#include "schema.hpp"

namespace news {

// One document being written. A boolean field's value becomes its term (normalised by the
// table's column); a value field's becomes the content of its slot; a text field's is indexed
// by the term generator, under the field's prefix and/or unprefixed with the table's weight
// (with positions only unprefixed when it is both: the free text's positions serve phrases in
// the field too); a boolean field with a text weight is indexed as free text too. Each piece of
// text with positions ends with a position gap, so phrases do not run from one into the next. An
// empty value writes nothing. Writing to a field in a way its row does not allow (text to a number
// field, a number to anything else) throws std::logic_error.
class FieldWriter {
  public:
    // `tg` (with its stemmer set) indexes the text fields: it is pointed at `doc` until the
    // writer is destroyed, and at an empty document after, so it keeps no reference.
    FieldWriter(Xapian::Document& doc, Xapian::TermGenerator& tg);
    ~FieldWriter();
    FieldWriter(const FieldWriter&) = delete;
    FieldWriter& operator=(const FieldWriter&) = delete;

    void add(FieldId f, std::string_view value);
    void add(FieldId f, double number);  // fields with Normalise::Number

  private:
    void add_text(std::string_view text, unsigned weight, std::string_view prefix, bool positions);

    Xapian::Document& doc_;
    Xapian::TermGenerator& tg_;
};

}  // namespace news
