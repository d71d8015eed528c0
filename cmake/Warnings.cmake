# Our code builds with -Wall -Wextra -Wpedantic, warning-free with GCC 12 and clang 14 in
# every build type. Warnings become errors only with -DTJC_WERROR=ON (CI sets it), so that a
# newer compiler's new warning never breaks a user's or a packager's build. Third-party
# headers come in as SYSTEM includes through their imported targets: their warnings never
# reach us.
option(TJC_WERROR "Treat warnings in our code as errors (CI)" OFF)

function(tjc_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(TJC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(TJC_SANITIZE STREQUAL "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC warns that TSan does not model atomic_thread_fence, which Asio uses.
    target_compile_options(${target} PRIVATE -Wno-tsan)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # Checks the locking rules written in code (common/include/tjc/mutex.hpp): a field
    # TJC_GUARDED_BY a mutex is touched only with that mutex held.
    target_compile_options(${target} PRIVATE -Wthread-safety)
  endif()
endfunction()

# For sources that include <regex>: GCC 12 reports -Wmaybe-uninitialized inside libstdc++'s
# regex (a known false positive in its _State moves, seen under -fsanitize and at -O3). Only
# those files, only with GCC. Call it in the directory that adds the sources.
function(tjc_uses_std_regex)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    set_source_files_properties(${ARGN} PROPERTIES COMPILE_OPTIONS -Wno-maybe-uninitialized)
  endif()
endfunction()

# For targets whose TUs run Asio coroutines (co_spawn, awaitable): GCC 12 reads the coroutine
# frame allocator of Asio's awaitable_frame_base (its operator new/delete members) as a
# mismatched new/delete pair, a known false positive (GCC PR 109224). Only that warning, only
# with GCC, only on these targets.
function(tjc_asio_coroutines target)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete)
  endif()
endfunction()
