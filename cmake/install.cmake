# What `cmake --install` and `cpack -G DEB` ship (IMSEMU_INSTALL: the
# top-level project only). find_package(ims_emulator CONFIG) gives
# ims_emulator::clients (the typed clients alone: needs cpp-httplib only),
# and ims_emulator::emulator and ims_emulator::gtest (need SQLite, spdlog,
# yaml-cpp and, for gtest, GoogleTest); COMPONENTS clients asks for the
# first alone.

set(IMSEMU_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ims_emulator)
install(TARGETS imsemu_clients EXPORT ims_emulatorClientsTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
set(IMSEMU_ARCHIVES imsemu_clients imsemu)
if(TARGET imsemu_gtest)
  list(APPEND IMSEMU_ARCHIVES imsemu_gtest)
endif()
list(SUBLIST IMSEMU_ARCHIVES 1 -1 _imsemu_emulator_targets)
install(TARGETS ${_imsemu_emulator_targets} EXPORT ims_emulatorTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/ims_emulator DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ims_emulatorClientsTargets NAMESPACE ims_emulator:: DESTINATION ${IMSEMU_CMAKE_DIR})
install(EXPORT ims_emulatorTargets NAMESPACE ims_emulator:: DESTINATION ${IMSEMU_CMAKE_DIR})
configure_package_config_file(cmake/ims_emulatorConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/ims_emulatorConfig.cmake INSTALL_DESTINATION ${IMSEMU_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/ims_emulatorConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/ims_emulatorConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/ims_emulatorConfigVersion.cmake
        DESTINATION ${IMSEMU_CMAKE_DIR})
if(IMSEMU_BUILD_CLI)
  install(TARGETS ims-emulator RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  execute_process(COMMAND gzip -9nc ${CMAKE_CURRENT_SOURCE_DIR}/cmake/ims-emulator.1
                  OUTPUT_FILE ${CMAKE_CURRENT_BINARY_DIR}/ims-emulator.1.gz COMMAND_ERROR_IS_FATAL ANY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/ims-emulator.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
# Debian's documentation files: the copyright and a compressed changelog.
execute_process(COMMAND gzip -9nc ${CMAKE_CURRENT_SOURCE_DIR}/cmake/changelog
                OUTPUT_FILE ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz COMMAND_ERROR_IS_FATAL ANY)
install(FILES cmake/copyright ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/ims-emulator)

# The installed archives carry symbols but no debug info (the build's
# RelWithDebInfo archive is ~200 MB, nearly all DWARF); a Debug build keeps it.
if(NOT CMAKE_BUILD_TYPE STREQUAL "Debug" AND CMAKE_STRIP)
  foreach(archive IN LISTS IMSEMU_ARCHIVES)
    install(CODE "execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug
      \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/$<TARGET_FILE_NAME:${archive}>\"
      COMMAND_ERROR_IS_FATAL ANY)")
  endforeach()
endif()

# `cpack -G DEB` in a build folder: the CLI and the development files, for
# Debian 12. The CLI is stripped; Depends are the shared libraries it links
# (dpkg-shlibdeps) and the -dev packages the static libraries need.
set(CPACK_PACKAGE_NAME ims-emulator)
set(CPACK_PACKAGE_VENDOR "ims-emulator developers")
set(CPACK_PACKAGE_CONTACT "ims-emulator developers <ims-emulator@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "emulator and test harness for IMS zeuz orchestration")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Local emulator and test harness for IMS zeuz orchestration\n Fakes allocations, payloads, reservations, the Session Manager and the Payload\n Local API over real HTTP, on a real or a virtual clock; with a C++ library,\n its clients and a GoogleTest harness.")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "http://localhost/ims-emulator")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libcpp-httplib-dev, nlohmann-json3-dev, libsqlite3-dev, libspdlog-dev, libyaml-cpp-dev, libgtest-dev, libgmock-dev")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
include(CPack)
