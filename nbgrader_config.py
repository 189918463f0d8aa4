# nbgrader's view of the homework: solutions in homework/source/<hw>/, student copies in
# homework/release/<hw>/. `python -m dlhelpers.homework release` uses nbgrader's preprocessors on
# this layout; instructors who prefer the CLI can run `nbgrader generate_assignment hw01 --no-db`
# from this folder: it gives the same cells (and adds nbgrader's checksums to the metadata, for
# autograding with nbgrader's database).
c = get_config()  # noqa: F821  (provided by nbgrader)
c.CourseDirectory.root = "homework"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.course_id = "dlhelpers-course"
