# Our code builds with every warning as an error; third-party headers come in as SYSTEM
# includes through their imported targets, so their warnings never reach us.
function(tjc_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
  if(TJC_SANITIZE STREQUAL "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC warns that TSan does not model atomic_thread_fence, which Asio uses.
    target_compile_options(${target} PRIVATE -Wno-tsan)
  endif()
endfunction()
