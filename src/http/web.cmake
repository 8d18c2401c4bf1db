# The web interface (web/, docs/web.md): built with npm and Vite into the build
# tree, then embedded into a generated source (embed_web.py) so that the binary
# serves it without reading anything from disk. COFFER_WEB=OFF (and the fuzz
# preset) embeds an empty table instead: "/" then answers 404.
option(COFFER_WEB "Build and embed the web interface (needs Node.js and npm)" ON)
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(COFFER_WEB_SOURCE ${CMAKE_CURRENT_BINARY_DIR}/web_assets_data.cpp)
set(embed ${CMAKE_CURRENT_SOURCE_DIR}/embed_web.py)
if(COFFER_FUZZ OR NOT COFFER_WEB)
  set(COFFER_WEB OFF)
  add_custom_command(OUTPUT ${COFFER_WEB_SOURCE}
                     COMMAND ${Python3_EXECUTABLE} ${embed} --none ${COFFER_WEB_SOURCE}
                     DEPENDS ${embed} VERBATIM)
else()
  find_program(COFFER_NPM npm)
  find_program(COFFER_NODE node)
  if(NOT COFFER_NPM OR NOT COFFER_NODE)
    message(FATAL_ERROR "The web interface needs Node.js (20 or newer) and npm to build: "
                        "scripts/setup.sh installs them. To build without the web interface, "
                        "configure with -DCOFFER_WEB=OFF.")
  endif()
  execute_process(COMMAND ${COFFER_NODE} --version OUTPUT_VARIABLE node_version
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  string(REGEX MATCH "^v([0-9]+)" _ "${node_version}")
  if(NOT CMAKE_MATCH_1 OR CMAKE_MATCH_1 LESS 20)
    message(FATAL_ERROR "The web interface needs Node.js 20 or newer; found '${node_version}'.")
  endif()
  set(web ${PROJECT_SOURCE_DIR}/web)
  file(GLOB_RECURSE web_inputs CONFIGURE_DEPENDS ${web}/src/*)
  list(APPEND web_inputs ${web}/index.html ${web}/package.json ${web}/package-lock.json
       ${web}/vite.config.ts ${web}/tsconfig.json ${PROJECT_SOURCE_DIR}/scripts/web-build.sh)
  set(web_dist ${CMAKE_CURRENT_BINARY_DIR}/web-dist)
  add_custom_command(OUTPUT ${COFFER_WEB_SOURCE}
                     COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/web-build.sh ${web_dist}
                     COMMAND ${Python3_EXECUTABLE} ${embed} ${web_dist} ${COFFER_WEB_SOURCE}
                     DEPENDS ${web_inputs} ${embed}
                     COMMENT "Building the web interface (npm, Vite) and embedding it"
                     VERBATIM)
endif()
