// The reference model of the Index query contract: generated instances, and the rows
// domain::matches() selects from them in the documented order.
#pragma once

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "store/index.h"

namespace arca::store::testing {

struct Model {
  std::vector<StoredInstance> all;  // insertion order

  std::string modalities(const StudyUid& study) const;
  // The stored value domain::matches() sees for attribute `a` of the row holding `s`.
  std::string value(const StoredInstance& s, QueryAttribute a) const;
  // The row identity at `level`: patient id, study/series/SOP instance UID.
  static std::string key(const StoredInstance& s, QueryLevel level);
  // Keys of the rows `q` must return, in order, limit and offset applied.
  std::vector<std::string> expect(const TenantId& tenant, const Query& q) const;
};

// Upper-level attributes are generated once per patient/study/series, so "first values win"
// and the model agree. Two tenants, ~200 instances each, shuffled.
Model generate_model(std::mt19937& rng);

// Matchers of every attribute and kind, including values with SQL LIKE/GLOB metacharacters.
std::vector<Matcher> matcher_pool(const Model& model);

Matcher parsed(QueryAttribute a, std::string_view v);

template <typename T>
const T& pick(std::mt19937& rng, const std::vector<T>& v) {
  return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
}

}  // namespace arca::store::testing
