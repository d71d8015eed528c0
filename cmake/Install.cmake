# What `cmake --install build --prefix P` lays out, and what `cpack -G DEB` packages (README
# "Install"):
#   bin/tj-host
#   lib/tooljump/plugins/circleci/       the plugin and its manifest.yaml (tj-host finds it by name)
#   include/tooljump/plugin.h            the ABI
#   <libdir>/cmake/tooljump/             find_package(tooljump CONFIG): tooljump::plugin_header
#   <libdir>/pkgconfig/tooljump.pc
#   share/doc/tooljump-circleci/         README, docs, example configs
#   etc/tooljump/circleci.yaml           the documented example (/etc with the prefix /usr)
#   lib/systemd/system/tooljump-circleci.service
include(CMakePackageConfigHelpers)

set(TJ_PLUGIN_INSTALL_DIR lib/tooljump/plugins)  # where tj-host looks, relative to its bin/..
file(STRINGS ${PROJECT_SOURCE_DIR}/host-sdk/include/tooljump/plugin.h tj_abi_lines
     REGEX "^#define TJ_ABI_VERSION_(MAJOR|MINOR) ")
string(REGEX REPLACE ".*MAJOR ([0-9]+)u.*" "\\1" tj_abi_major "${tj_abi_lines}")
string(REGEX REPLACE ".*MINOR ([0-9]+)u.*" "\\1" tj_abi_minor "${tj_abi_lines}")
set(TJ_ABI_VERSION "${tj_abi_major}.${tj_abi_minor}")

install(TARGETS tj-host RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS tooljump_circleci LIBRARY DESTINATION ${TJ_PLUGIN_INSTALL_DIR}/circleci)
install(FILES ${PROJECT_SOURCE_DIR}/manifest.yaml DESTINATION ${TJ_PLUGIN_INSTALL_DIR}/circleci)

install(FILES ${PROJECT_SOURCE_DIR}/host-sdk/include/tooljump/plugin.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tooljump)
install(TARGETS tooljump_plugin_header EXPORT tooljumpTargets)
set(tj_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/tooljump)
install(EXPORT tooljumpTargets NAMESPACE tooljump:: DESTINATION ${tj_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/packaging/tooljumpConfig.cmake.in
  ${PROJECT_BINARY_DIR}/packaging/tooljumpConfig.cmake INSTALL_DESTINATION ${tj_cmake_dir}
  PATH_VARS TJ_PLUGIN_INSTALL_DIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/packaging/tooljumpConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/packaging/tooljumpConfig.cmake ${PROJECT_BINARY_DIR}/packaging/tooljumpConfigVersion.cmake
  DESTINATION ${tj_cmake_dir})

# pkg-config: relocatable, the prefix found from the .pc file's own place.
file(RELATIVE_PATH TJ_PC_TO_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
string(REGEX REPLACE "/$" "" TJ_PC_TO_PREFIX "${TJ_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/packaging/tooljump.pc.in ${PROJECT_BINARY_DIR}/packaging/tooljump.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/packaging/tooljump.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

set(tj_doc_dir ${CMAKE_INSTALL_DATAROOTDIR}/doc/tooljump-circleci)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${tj_doc_dir})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${tj_doc_dir}/docs FILES_MATCHING PATTERN "*.md")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/ DESTINATION ${tj_doc_dir}/examples FILES_MATCHING PATTERN "*.yaml")

# The config and the unit go where the install-time prefix says (see the script).
configure_file(${PROJECT_SOURCE_DIR}/packaging/install_system_files.cmake.in
  ${PROJECT_BINARY_DIR}/packaging/install_system_files.cmake @ONLY)
install(SCRIPT ${PROJECT_BINARY_DIR}/packaging/install_system_files.cmake)

# cpack -G DEB (run in the build dir): Depends from the real shared-library dependencies
# (dpkg-shlibdeps), stripped binaries, /etc/tooljump/circleci.yaml a conffile.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tooljump-circleci)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "CircleCI cards for ToolJump: a native plugin and the tj-host server")
set(CPACK_PACKAGE_DESCRIPTION
  "tooljump-circleci shows CircleCI status, pipelines, insights and deploys as ToolJump cards. It is a native plugin loaded through ToolJump's C ABI, with tj-host, a reference host and ToolJump server (tj-host serve), a systemd unit, and the plugin SDK header (tooljump/plugin.h) with its CMake and pkg-config files.")
set(CPACK_PACKAGE_CONTACT "tooljump-circleci maintainers <tooljump-circleci@users.noreply.github.com>")
# Installed with DESTDIR and the prefix /usr, so that the config's /etc lands in the package.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
file(WRITE ${PROJECT_BINARY_DIR}/packaging/conffiles "/etc/tooljump/circleci.yaml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/packaging/conffiles)
include(CPack)
