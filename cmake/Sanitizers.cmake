# ASan + UBSan as an INTERFACE target; CI runs the tests once with MIXMASTER_SANITIZE=ON.
add_library(mixmaster_sanitizers INTERFACE)
if(MIXMASTER_SANITIZE)
  target_compile_options(mixmaster_sanitizers INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(mixmaster_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
