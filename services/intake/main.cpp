#include "intake/service.hpp"

int main(int argc, char** argv) { return casecall::service::run(casecall::intake::definition(), argc, argv); }
