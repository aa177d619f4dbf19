"""SCORM 1.2 export: a module as a package any LMS can import and run without CareLab."""
