-- The web page and the playground (notifier.views): stories by their date, and a short
-- number per story for links (mirrors postgresql/006).

-- A story's date: the digest's (published), else when it was first seen. Queries must use
-- the same expression for the index to apply.
CREATE INDEX stories_date ON stories (COALESCE(published, first_seen));

-- num: 1, 2, 3 … in insertion order; copied as is by `notifier db copy`.
ALTER TABLE stories ADD COLUMN num INTEGER;
UPDATE stories SET num = rowid;
CREATE UNIQUE INDEX stories_num ON stories (num);
CREATE TRIGGER stories_num AFTER INSERT ON stories WHEN NEW.num IS NULL
BEGIN
    UPDATE stories SET num = (SELECT COALESCE(MAX(num), 0) + 1 FROM stories)
    WHERE rowid = NEW.rowid;
END;
