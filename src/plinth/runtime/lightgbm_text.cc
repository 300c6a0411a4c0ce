#include "plinth/runtime/lightgbm_text.h"

#include <algorithm>
#include <charconv>

#include "plinth/base/strings.h"

namespace plinth::runtime {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(LgbHeaderKey::kCount)> kHeaderNames = {
    "version",   "num_class",      "num_tree_per_iteration", "label_index",  "max_feature_idx",
    "objective", "average_output", "feature_names",          "feature_infos"};

constexpr std::array<std::string_view, static_cast<size_t>(LgbTreeKey::kCount)> kTreeNames = {
    "num_leaves",  "num_cat",    "split_feature",  "threshold",     "decision_type", "left_child",
    "right_child", "leaf_value", "cat_boundaries", "cat_threshold", "is_linear"};

constexpr std::string_view kTreeStart = "Tree=";
constexpr std::string_view kEndOfTrees = "end of trees";
constexpr std::string_view kPandasKey = "pandas_categorical:";
// Old writers (LightGBM 2.0) go straight from the last tree to one of these.
constexpr std::array<std::string_view, 4> kTrailerStarts = {
    "feature importances:", "feature_importances:", "parameters:", kPandasKey};

bool EndsTrees(std::string_view line) {
  return line == kEndOfTrees ||
         std::any_of(kTrailerStarts.begin(), kTrailerStarts.end(),
                     [&](std::string_view s) { return StartsWith(line, s); });
}

// The start of a line or token for messages, so a huge line does not make a huge error.
std::string_view Excerpt(std::string_view s) { return s.substr(0, 64); }

// Lines without their "\n" / "\r\n", numbered from 1.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  bool Next(std::string_view* line) {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    *line = text_.substr(pos_, end - pos_);
    if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    return true;
  }
  int64_t number() const { return number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int64_t number_ = 0;
};

// Stores `value` under `key` when `key` is one of `names`; a second value for it is an error.
template <typename Key, size_t N>
absl::Status SetField(const std::array<std::string_view, N>& names, std::string_view key,
                      std::string_view value, LgbFields<Key>* fields, const LineReader& lines) {
  auto it = std::find(names.begin(), names.end(), key);
  if (it == names.end()) return absl::OkStatus();
  auto& slot = fields->values[static_cast<size_t>(it - names.begin())];
  if (slot) {
    return absl::InvalidArgumentError(
        StrCat("LightGBM model line ", lines.number(), ": '", key, "' given twice"));
  }
  slot = value;
  return absl::OkStatus();
}

template <typename T>
absl::Status ParseList(std::string_view text, std::string_view what, std::vector<T>* out) {
  out->clear();
  out->reserve(static_cast<size_t>(std::count(text.begin(), text.end(), ' ')) + 1);
  const char* p = text.data();
  const char* end = p + text.size();
  while (true) {
    while (p < end && (*p == ' ' || *p == '\t')) ++p;
    if (p == end) return absl::OkStatus();
    T value;
    auto [next, ec] = std::from_chars(p, end, value);
    if (ec != std::errc() || (next != end && *next != ' ' && *next != '\t')) {
      const char* token_end = std::find_if(p, end, [](char c) { return c == ' ' || c == '\t'; });
      return absl::InvalidArgumentError(StrCat(
          what, ": '", Excerpt(std::string_view(p, token_end - p)), "' is not a valid number"));
    }
    out->push_back(value);
    p = next;
  }
}

}  // namespace

absl::StatusOr<LgbModelText> SplitLightgbmText(std::string_view text) {
  LineReader lines(text);
  std::string_view line;
  auto error = [&](std::string_view what) {
    return absl::InvalidArgumentError(StrCat("LightGBM model line ", lines.number(), ": ", what));
  };
  do {
    if (!lines.Next(&line)) return absl::InvalidArgumentError("LightGBM model is empty");
  } while (StripWhitespace(line).empty());
  // Booster(model_str=...) also takes a model whose "tree" line was left out.
  bool pending = StartsWith(line, "version=");
  if (!pending && StripWhitespace(line) != "tree") {
    return error(StrCat("expected 'tree' (the model type), found '", Excerpt(line), "'"));
  }

  LgbModelText out;
  bool at_tree = false;
  bool ended = false;
  while (!at_tree && !ended && (pending || lines.Next(&line))) {
    pending = false;
    if (line.empty()) continue;
    at_tree = StartsWith(line, kTreeStart);
    ended = EndsTrees(line);
    if (at_tree || ended) break;
    size_t eq = line.find('=');
    std::string_view key = line.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : line.substr(eq + 1);
    PLINTH_RETURN_IF_ERROR(SetField(kHeaderNames, key, value, &out.header, lines));
  }

  while (at_tree) {
    auto number = ParseLgbInt(line.substr(kTreeStart.size()), "tree number");
    if (!number.ok() || *number != static_cast<int64_t>(out.trees.size())) {
      return error(StrCat("expected 'Tree=", out.trees.size(), "', found '", Excerpt(line), "'"));
    }
    LgbTreeSection& section = out.trees.emplace_back();
    section.line = lines.number();
    while (lines.Next(&line) && !line.empty()) {
      size_t eq = line.find('=');
      if (eq == std::string_view::npos || StartsWith(line, kTreeStart)) {
        return error(StrCat("expected key=value in tree ", out.trees.size() - 1, ", found '",
                            Excerpt(line), "'"));
      }
      PLINTH_RETURN_IF_ERROR(
          SetField(kTreeNames, line.substr(0, eq), line.substr(eq + 1), &section.fields, lines));
    }
    at_tree = false;
    while (lines.Next(&line)) {
      if (line.empty()) continue;
      at_tree = StartsWith(line, kTreeStart);
      ended = EndsTrees(line);
      if (at_tree || ended) break;
      return error(StrCat("expected 'Tree=' or 'end of trees', found '", Excerpt(line), "'"));
    }
  }
  if (!ended)
    return absl::InvalidArgumentError(
        "LightGBM model has no 'end of trees' line (truncated file?)");

  do {
    if (StartsWith(line, kPandasKey)) out.pandas_categorical = line.substr(kPandasKey.size());
  } while (lines.Next(&line));
  return out;
}

std::string_view LgbTreeKeyName(LgbTreeKey key) { return kTreeNames[static_cast<size_t>(key)]; }
std::string_view LgbHeaderKeyName(LgbHeaderKey key) {
  return kHeaderNames[static_cast<size_t>(key)];
}

absl::Status ParseLgbList(std::string_view text, std::string_view what, std::vector<double>* out) {
  return ParseList(text, what, out);
}
absl::Status ParseLgbList(std::string_view text, std::string_view what, std::vector<int32_t>* out) {
  return ParseList(text, what, out);
}
absl::Status ParseLgbList(std::string_view text, std::string_view what,
                          std::vector<uint32_t>* out) {
  return ParseList(text, what, out);
}

absl::StatusOr<int64_t> ParseLgbInt(std::string_view text, std::string_view what) {
  int64_t value = 0;
  auto [next, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || next != text.data() + text.size()) {
    return absl::InvalidArgumentError(
        StrCat(what, ": '", Excerpt(text), "' is not a valid integer"));
  }
  return value;
}

}  // namespace plinth::runtime
