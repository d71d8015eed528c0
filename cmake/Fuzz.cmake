# TJC_FUZZ=ON: every TU of ours gets libFuzzer's coverage instrumentation with ASan+UBSan;
# the fuzz targets link libFuzzer's main (fuzz/CMakeLists.txt). Debian's g++-built Boost and
# yaml-cpp libraries stay uninstrumented.
if(NOT TJC_FUZZ)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "TJC_FUZZ needs clang (CC=clang-14 CXX=clang++-14), not ${CMAKE_CXX_COMPILER_ID}")
endif()
if(NOT TJC_SANITIZE STREQUAL "")
  message(FATAL_ERROR "TJC_FUZZ brings its own sanitizers: leave TJC_SANITIZE empty")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
