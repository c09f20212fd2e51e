#include "publish/service.hpp"

int main(int argc, char** argv) { return casecall::service::run(casecall::publish::definition(), argc, argv); }
