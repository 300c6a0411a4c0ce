#include "plinth/storage/meta/meta_store.h"

#include <cstdlib>


namespace plinth::storage {

int64_t SqlRow::Int(size_t i) const {
  const SqlValue& v = values_.at(i);
  if (auto* iv = std::get_if<int64_t>(&v)) return *iv;
  if (auto* dv = std::get_if<double>(&v)) return static_cast<int64_t>(*dv);
  if (auto* sv = std::get_if<std::string>(&v)) return std::atoll(sv->c_str());
  return 0;
}

double SqlRow::Double(size_t i) const {
  const SqlValue& v = values_.at(i);
  if (auto* dv = std::get_if<double>(&v)) return *dv;
  if (auto* iv = std::get_if<int64_t>(&v)) return static_cast<double>(*iv);
  if (auto* sv = std::get_if<std::string>(&v)) return std::atof(sv->c_str());
  return 0;
}

std::string SqlRow::Text(size_t i) const {
  const SqlValue& v = values_.at(i);
  if (auto* sv = std::get_if<std::string>(&v)) return *sv;
  if (auto* iv = std::get_if<int64_t>(&v)) return std::to_string(*iv);
  if (auto* dv = std::get_if<double>(&v)) return StrCat(*dv);
  return "";
}

}  // namespace plinth::storage
