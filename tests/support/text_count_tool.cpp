// For the end-to-end test that the browser counts as the server does: reads lines on standard
// input and prints, for each, "<words> <characters>" by libs/text.
#include "text/count.hpp"

#include <iostream>
#include <string>

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::cout << casecall::text::count_words(line) << ' ' << casecall::text::count_characters(line) << '\n';
  }
  return 0;
}
