#pragma once
// Checks across entries: aliases, references between collections, derived consistency.
#include "llmsize/catalog/catalog.h"

namespace llmsize::catalog {

void validate_references(const Catalog& cat, std::vector<Diagnostic>& errors);

}  // namespace llmsize::catalog
