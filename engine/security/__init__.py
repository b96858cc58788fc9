"""Who may do what: roles' functional and field permissions (:mod:`.rights`) and record
visibility as a SQL predicate (:mod:`.visibility`, with :mod:`.sharing`)."""
