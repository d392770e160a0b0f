# Warnings as an INTERFACE target: linked PRIVATE, never forced on whoever includes us.
add_library(mixmaster_warnings INTERFACE)
target_compile_options(mixmaster_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
if(MIXMASTER_WERROR)
  target_compile_options(mixmaster_warnings INTERFACE -Werror)
endif()
