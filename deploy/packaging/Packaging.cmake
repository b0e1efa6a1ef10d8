# Debian packages of the same build (CPack, DEB generator):
#   kuaibao-node  the node, kuaibao-provision, the systemd units, the region
#                 table, the monitoring files; a `kuaibao` system user and
#                 /etc/kuaibao, /var/lib/kuaibao, /var/backups/kuaibao
#                 (maintainer scripts)
#   kuaibao       the command line (and its console) for duty officers' PCs
# Build them from a finished build directory, without building again:
#   cpack --config build/CPackConfig.cmake -B OUT_DIR
# deploy/packaging/README.md has the details and the lintian notes.
include(GNUInstallDirs)

set(KUAIBAO_VERSION "0.1.0" CACHE STRING "version of the Debian packages")
set(KUAIBAO_PACKAGE_MAINTAINER "Kuaibao maintainers <kuaibao@shanxi.gov.cn>"
    CACHE STRING "Maintainer field of the Debian packages")
# `cpack` installs what is built; it must not start a build of everything
# (tests included) first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

set(packaging ${CMAKE_CURRENT_LIST_DIR})
set(generated ${CMAKE_BINARY_DIR}/packaging)

# Man pages from --help (help2man), when Debian's help2man is installed.
find_program(KUAIBAO_HELP2MAN help2man)
set(man_pages)
function(kuaibao_man_page target section description)
  if(NOT KUAIBAO_HELP2MAN)
    return()
  endif()
  set(page ${generated}/${target}.${section}.gz)
  add_custom_command(
    OUTPUT ${page}
    COMMAND ${KUAIBAO_HELP2MAN} --no-info --section=${section}
            --version-string=${KUAIBAO_VERSION} --name=${description}
            --output=${generated}/${target}.${section} $<TARGET_FILE:${target}>
    COMMAND gzip -9nf ${generated}/${target}.${section}
    DEPENDS ${target}
    COMMENT "man page of ${target}")
  set(man_pages ${man_pages} ${page} PARENT_SCOPE)
endfunction()
kuaibao_man_page(kuaibao-node 8 "one node of the Kuaibao incident-report relay")
kuaibao_man_page(kuaibao-provision 8 "configurations for every Kuaibao node of a region table")
kuaibao_man_page(kuaibao 1 "submit and follow Kuaibao incident reports")
add_custom_target(kuaibao_man_pages ALL DEPENDS ${man_pages})

# The changelog of these native packages, compressed as policy wants it.
configure_file(${packaging}/changelog.in ${generated}/changelog @ONLY)
execute_process(COMMAND gzip -9nf ${generated}/changelog)

install(TARGETS kuaibao-node kuaibao-provision
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT node)
install(TARGETS kuaibao RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        COMPONENT cli)
if(KUAIBAO_HELP2MAN)
  install(FILES ${generated}/kuaibao-node.8.gz ${generated}/kuaibao-provision.8.gz
          DESTINATION ${CMAKE_INSTALL_MANDIR}/man8 COMPONENT node)
  install(FILES ${generated}/kuaibao.1.gz
          DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT cli)
endif()
# Debian 12 keeps packaged units in /lib/systemd/system.
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/kuaibao-node@.service
              ${PROJECT_SOURCE_DIR}/deploy/systemd/kuaibao-backup@.service
              ${PROJECT_SOURCE_DIR}/deploy/systemd/kuaibao-backup@.timer
        DESTINATION /lib/systemd/system COMPONENT node)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/regions/shanxi-2022.csv
        DESTINATION ${CMAKE_INSTALL_DATADIR}/kuaibao/regions COMPONENT node)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/monitoring/kuaibao-alerts.yml
              ${PROJECT_SOURCE_DIR}/deploy/monitoring/kuaibao-dashboard.json
              ${PROJECT_SOURCE_DIR}/deploy/monitoring/prometheus.yml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/kuaibao/monitoring COMPONENT node)
set(doc ${CMAKE_INSTALL_DATAROOTDIR}/doc)
foreach(pair IN ITEMS node:kuaibao-node cli:kuaibao)
  string(REPLACE ":" ";" pair ${pair})
  list(GET pair 0 component)
  list(GET pair 1 package)
  install(FILES ${packaging}/copyright ${generated}/changelog.gz
          DESTINATION ${doc}/${package} COMPONENT ${component})
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${doc}/kuaibao-node COMPONENT node)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/README.md
        DESTINATION ${doc}/kuaibao-node RENAME operating.md COMPONENT node)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/officer-pc.md
        DESTINATION ${doc}/kuaibao RENAME README.md COMPONENT cli)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kuaibao)
set(CPACK_PACKAGE_VERSION ${KUAIBAO_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL node cli)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${KUAIBAO_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_NODE_PACKAGE_NAME kuaibao-node)
set(CPACK_DEBIAN_NODE_PACKAGE_SECTION net)
set(CPACK_DEBIAN_NODE_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_NODE_PACKAGE_CONTROL_EXTRA
    ${packaging}/kuaibao-node/postinst ${packaging}/kuaibao-node/prerm
    ${packaging}/kuaibao-node/postrm)
set(CPACK_COMPONENT_NODE_DESCRIPTION [=[Kuaibao incident-report relay node
The program every government of the province runs (township, county, city,
province): it stores every emergency incident report durably and forwards it
to its parent over mutually authenticated gRPC, with signed receipts and the
deadlines of the 2007 Shanxi notice on emergency information reporting.
Includes kuaibao-provision, the systemd units (kuaibao-node@REGION and
hourly backups), the region table and Prometheus alerts and a Grafana
dashboard for its metrics.]=])
set(CPACK_DEBIAN_CLI_PACKAGE_NAME kuaibao)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION net)
set(CPACK_COMPONENT_CLI_DESCRIPTION [=[Command line of the Kuaibao incident-report relay for duty officers
The command line (and console) with which duty officers submit emergency
incident reports to their government's Kuaibao node and follow them: reports
with their timelines, the deadlines due, instructions and feedback, the
node's status and the audit views.]=])
include(CPack)
