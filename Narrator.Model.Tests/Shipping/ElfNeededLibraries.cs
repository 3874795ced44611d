using System.Text;

namespace Narrator.Model.Tests.Shipping;

/// <summary>
/// The DT_NEEDED entries of an ELF64 little-endian shared library (what <c>readelf -d</c> lists as NEEDED): the sonames
/// the dynamic loader must find before the library can load. Read from the section headers; no readelf needed.
/// </summary>
internal static class ElfNeededLibraries
{
    private const uint SectionDynamic = 6; // SHT_DYNAMIC
    private const long TagNull = 0;        // DT_NULL ends the dynamic table
    private const long TagNeeded = 1;      // DT_NEEDED: an offset into the table's string section

    public static IReadOnlyList<string> Read(string path)
    {
        using var file = File.OpenRead(path);
        using var reader = new BinaryReader(file);
        byte[] ident = reader.ReadBytes(16);
        if (ident.Length < 16 || ident[0] != 0x7F || ident[1] != 'E' || ident[2] != 'L' || ident[3] != 'F')
        {
            throw new InvalidDataException($"{path} is not an ELF file.");
        }
        if (ident[4] != 2 || ident[5] != 1)
        {
            throw new InvalidDataException($"{path} is not a 64-bit little-endian ELF file (class {ident[4]}, data {ident[5]}).");
        }

        file.Position = 0x28;
        long sectionTable = reader.ReadInt64();
        file.Position = 0x3A;
        int entrySize = reader.ReadUInt16();
        int count = reader.ReadUInt16();
        var sections = new (uint Type, long Offset, long Size, uint Link)[count];
        for (int i = 0; i < count; i++)
        {
            file.Position = sectionTable + (long)i * entrySize + 4;
            uint type = reader.ReadUInt32();
            file.Position += 16; // sh_flags, sh_addr
            sections[i] = (type, reader.ReadInt64(), reader.ReadInt64(), reader.ReadUInt32());
        }

        var dynamic = sections.FirstOrDefault(section => section.Type == SectionDynamic);
        if (dynamic.Type != SectionDynamic || dynamic.Link >= sections.Length)
        {
            throw new InvalidDataException($"{path} has no dynamic section: it is not a shared library or its section headers are stripped.");
        }
        long strings = sections[dynamic.Link].Offset;

        var needed = new List<string>();
        for (long entry = dynamic.Offset; entry + 16 <= dynamic.Offset + dynamic.Size; entry += 16)
        {
            file.Position = entry;
            long tag = reader.ReadInt64();
            long value = reader.ReadInt64();
            if (tag == TagNull)
            {
                break;
            }
            if (tag == TagNeeded)
            {
                needed.Add(ReadString(file, strings + value));
            }
        }
        return needed;
    }

    private static string ReadString(FileStream file, long offset)
    {
        file.Position = offset;
        var bytes = new List<byte>();
        for (int b = file.ReadByte(); b > 0; b = file.ReadByte())
        {
            bytes.Add((byte)b);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
