-- Japanese names, for replies in Japanese and lookups by a Japanese name.
ALTER TABLE products
  ADD COLUMN name_ja VARCHAR(200) NULL AFTER name_zh_tw,
  ADD KEY products_name_ja (name_ja);
