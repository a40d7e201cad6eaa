# eventlog: PGXS build of the extension.
#   make / make install            build and install into the server of pg_config
#   make installcheck              pg_regress against a running server (PGHOST/PGPORT)
# The whole suite (unit tests, pg_regress, integration tests) is ./run-tests.

EXTENSION  = eventlog
MODULE_big = eventlog
PGFILEDESC = "eventlog - audit trail inside PostgreSQL"
# The install script of the current version (default_version in
# eventlog.control) is assembled from the files of extension/install/, one
# per feature, in the order of their names. The eventlog--A--B.sql files are
# the upgrade scripts, frozen once released. Earlier versions' full install
# scripts are in the repository's history only (test/released-versions):
# a database running one upgrades through the chain.
EXTVERSION = $(shell sed -n "s/^default_version = '\\(.*\\)'/\\1/p" $(EXTENSION).control)
INSTALL_SOURCES = $(sort $(wildcard extension/install/*.sql))
DATA_built = extension/eventlog--$(EXTVERSION).sql
DATA       = $(wildcard extension/eventlog--*--*.sql)

# One list of sources: every .cpp of src/core (pure C++, also built by
# CMakeLists.txt for the unit tests) and of src/pg (PostgreSQL-facing).
CORE_SRCS = $(sort $(wildcard src/core/*.cpp))
PG_SRCS   = $(sort $(wildcard src/pg/*.cpp))
OBJS      = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

REGRESS      = install diff diff_model render log log_row track writer queries fuzz schema purge partition hostile visibility page_visibility context history seal counts actor_id erase
REGRESS_OPTS = --inputdir=. --outputdir=build/regress

PG_CPPFLAGS = -I$(CURDIR)/src
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Wno-register -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK  = -lstdc++

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Debian's PostgreSQL is built with LLVM: PGXS also compiles every .cpp to
# bitcode with clang, without PG_CXXFLAGS unless we add them.
COMPILE.cxx.bc += $(PG_CXXFLAGS)

$(OBJS): $(wildcard src/core/*.hpp src/pg/*.hpp)

extension/eventlog--$(EXTVERSION).sql: $(INSTALL_SOURCES) $(EXTENSION).control
	cat $(INSTALL_SOURCES) >$@

installcheck: | build/regress
build/regress:
	mkdir -p $@

.PHONY: unit
unit:
	cmake -S . -B build/unit -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build/unit -j2
	ctest --test-dir build/unit --output-on-failure
