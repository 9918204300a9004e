# Where `cmake --install` and `cpack -G DEB` put things: Debian's places under the prefix.
include(GNUInstallDirs)

install(TARGETS llmsize RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${LLMSIZE_UNIX_DIR}/llmsize.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# bash-completion and fish look under every $XDG_DATA_DIRS entry, /usr/local/share included.
install(FILES ${LLMSIZE_UNIX_DIR}/llmsize.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME llmsize)
install(FILES ${LLMSIZE_UNIX_DIR}/llmsize.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
# Debian's zsh reads /usr/share/zsh/vendor-completions and /usr/local/share/zsh/site-functions (its $fpath);
# chosen when installing, since cpack installs with the prefix /usr whatever the build was configured with.
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(llmsize_zsh_dir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions\")
  else()
    set(llmsize_zsh_dir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/site-functions\")
  endif()
  file(INSTALL \"${LLMSIZE_UNIX_DIR}/_llmsize\" DESTINATION \"\${llmsize_zsh_dir}\")
")
# The license as Debian names it, the README and the reference docs (the README links docs/...).
install(FILES LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME copyright)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
file(GLOB LLMSIZE_DOCS ${PROJECT_SOURCE_DIR}/docs/*.md ${PROJECT_SOURCE_DIR}/docs/*.txt)
install(FILES ${LLMSIZE_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)

# cpack -G DEB: llmsize_VERSION_ARCH.deb. Depends is read from the shared libraries the binary links
# (dpkg-shlibdeps, from dpkg-dev), so it follows the build: libfmt today, libcurl when it is linked.
set(CPACK_PACKAGE_NAME llmsize)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "llmsize answers what hardware a large language model needs and what a planned build will do: whether a "
    "model fits a GPU at a quantization and context, how many tokens per second it decodes, what a second GPU "
    "or more RAM changes, and what the electricity costs. It computes from the model's architecture and the "
    "hardware's specifications as llama.cpp allocates memory, and says how (--explain).")
set(LLMSIZE_DEB_MAINTAINER "The llmsize authors" CACHE STRING "The .deb's Maintainer field: \"Name <address>\"")
set(CPACK_PACKAGE_CONTACT "${LLMSIZE_DEB_MAINTAINER}")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libcurl is opened with dlopen (src/hub/curl_transport.cpp), which dpkg-shlibdeps cannot see: named here
# (CURLOPT_PROTOCOLS_STR needs 7.85); the shared libraries the binary links are appended to it.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4 (>= 7.85.0)")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
include(CPack)
