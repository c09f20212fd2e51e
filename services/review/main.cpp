#include "review/service.hpp"

int main(int argc, char** argv) { return casecall::service::run(casecall::review::definition(), argc, argv); }
