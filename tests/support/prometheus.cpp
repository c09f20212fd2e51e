#include "prometheus.hpp"

#include <cmath>
#include <regex>
#include <stdexcept>

namespace casecall::testing {

namespace {

const std::regex name_re("[a-zA-Z_:][a-zA-Z0-9_:]*");

std::string family_of(const std::string& sample, const std::map<std::string, std::string>& types) {
  if (types.count(sample)) return sample;
  for (const char* suffix : {"_bucket", "_sum", "_count", "_total", "_created"}) {
    std::string s(suffix);
    if (sample.size() > s.size() && sample.compare(sample.size() - s.size(), s.size(), s) == 0) {
      auto base = sample.substr(0, sample.size() - s.size());
      if (types.count(base)) return base;
    }
  }
  return {};
}

double parse_value(const std::string& text, const std::string& line) {
  if (text == "+Inf") return INFINITY;
  if (text == "-Inf") return -INFINITY;
  if (text == "NaN") return NAN;
  std::size_t used = 0;
  double v = std::stod(text, &used);
  if (used != text.size()) throw std::runtime_error("bad value in: " + line);
  return v;
}

}  // namespace

prometheus_text parse_prometheus(const std::string& text) {
  prometheus_text out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) throw std::runtime_error("the text does not end with a newline");
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (line.rfind("# TYPE ", 0) == 0) {
        auto rest = line.substr(7);
        auto space = rest.find(' ');
        auto family = rest.substr(0, space);
        auto type = rest.substr(space + 1);
        if (!std::regex_match(family, name_re)) throw std::runtime_error("bad family name: " + line);
        if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" &&
            type != "untyped") {
          throw std::runtime_error("bad type: " + line);
        }
        if (out.types.count(family)) throw std::runtime_error("family typed twice: " + line);
        out.types[family] = type;
      }
      continue;
    }
    prometheus_sample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = line.substr(0, i);
    if (!std::regex_match(s.name, name_re)) throw std::runtime_error("bad metric name: " + line);
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        auto eq = line.find('=', i);
        if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
          throw std::runtime_error("bad label: " + line);
        }
        auto key = line.substr(i, eq - i);
        if (!std::regex_match(key, name_re)) throw std::runtime_error("bad label name: " + line);
        std::string value;
        std::size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\') {
            ++j;
            if (j >= line.size()) throw std::runtime_error("bad escape: " + line);
            char c = line[j];
            if (c == 'n') value += '\n';
            else if (c == '\\' || c == '"') value += c;
            else throw std::runtime_error("bad escape: " + line);
          } else {
            value += line[j];
          }
        }
        if (j >= line.size()) throw std::runtime_error("unterminated label value: " + line);
        s.labels[key] = value;
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size()) throw std::runtime_error("unterminated labels: " + line);
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') throw std::runtime_error("no value: " + line);
    s.value = parse_value(line.substr(i + 1), line);
    if (family_of(s.name, out.types).empty()) {
      throw std::runtime_error("sample without # TYPE for its family: " + line);
    }
    out.samples.push_back(std::move(s));
  }

  // Histograms: per series, buckets cumulative, +Inf == _count.
  for (const auto& [family, type] : out.types) {
    if (type != "histogram") continue;
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    std::map<std::map<std::string, std::string>, double> counts;
    for (const auto& s : out.samples) {
      if (s.name == family + "_bucket") {
        auto labels = s.labels;
        auto le = labels.at("le");
        labels.erase("le");
        buckets[labels].emplace_back(parse_value(le, s.name), s.value);
      } else if (s.name == family + "_count") {
        counts[s.labels] = s.value;
      }
    }
    for (const auto& [labels, list] : buckets) {
      double previous_le = -INFINITY;
      double previous = 0;
      for (const auto& [le, value] : list) {
        if (le <= previous_le) throw std::runtime_error(family + ": buckets out of order");
        if (value < previous) throw std::runtime_error(family + ": buckets not cumulative");
        previous_le = le;
        previous = value;
      }
      if (!std::isinf(previous_le)) throw std::runtime_error(family + ": no +Inf bucket");
      if (!counts.count(labels) || counts.at(labels) != previous) {
        throw std::runtime_error(family + ": +Inf bucket differs from _count");
      }
    }
  }
  return out;
}

}  // namespace casecall::testing
